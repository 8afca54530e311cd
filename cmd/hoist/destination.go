package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/containerd"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/publish"
)

// destinationSettings say where images go: the destination group.
type destinationSettings struct {
	repo                string
	bare                bool
	tags                []string
	layout, tarball     string
	containerdAddress   string
	containerdNamespace string
	kindCluster         string
}

func (s *settings) loadDestination(r reader) error {
	d := &s.dest
	d.repo, d.bare, d.tags = r.v.GetString("repo"), r.v.GetBool("bare"), r.list("tag", true)
	d.layout, d.tarball = r.v.GetString("oci-layout"), r.v.GetString("tarball")
	// ctr and nerdctl read the same variables, kind its cluster's name.
	d.containerdAddress = firstNonEmpty(r.v.GetString("containerd-address"), os.Getenv("CONTAINERD_ADDRESS"))
	d.containerdNamespace = firstNonEmpty(r.v.GetString("containerd-namespace"), os.Getenv("CONTAINERD_NAMESPACE"))
	d.kindCluster = os.Getenv("KIND_CLUSTER_NAME")
	if d.bare && d.repo == "" {
		return fmt.Errorf("--bare names the image after the registry repository, but none is set: add --repo (or HOIST_REPO), or drop --bare")
	}
	for _, name := range []string{"containerd-address", "containerd-namespace"} {
		if s.given[name] && !containerd.IsRepo(d.repo) {
			return fmt.Errorf("--%s applies to --repo %s only, and the repository is %q: set --repo %s or drop --%s", name, containerd.Host, d.repo, containerd.Host, name)
		}
	}
	return nil
}

// registryOnly says whether the registry is the only destination.
func (d destinationSettings) registryOnly() bool {
	return d.repo != "" && d.layout == "" && d.tarball == ""
}

// requireRegistry refuses a file destination for commands whose output
// names images for a cluster to pull: a digest in an OCI layout or tarball
// is no reference a kubelet can resolve, and docker.io would be assumed.
func (d destinationSettings) requireRegistry(command string) error {
	if !d.registryOnly() {
		return fmt.Errorf("%s publishes to a registry only: set --repo, HOIST_REPO or KO_DOCKER_REPO, and no --oci-layout or --tarball", command)
	}
	return nil
}

// publisher builds the destinations: every one given is written, as ko
// does (--oci-layout and --tarball files, and the registry of --repo,
// HOIST_REPO or KO_DOCKER_REPO); with none, the default layout.
func (s *settings) publisher(log *slog.Logger, ropts publish.RegistryOptions) (publish.Publisher, error) {
	d := s.dest
	files, err := s.filePublishers()
	if err != nil {
		return nil, err
	}
	if d.repo != "" {
		local, err := s.localPublisher(log)
		switch {
		case err != nil:
			return nil, err
		case local != nil && len(files) > 0:
			return nil, fmt.Errorf("--repo %s loads into a container runtime and cannot be combined with --oci-layout or --tarball: run them separately", d.repo)
		case local != nil:
			return local, nil
		}
	}
	var reg *publish.Registry
	if d.repo != "" {
		if reg, err = publish.NewRegistry(ropts); err != nil {
			return nil, err
		}
	}
	switch {
	case reg != nil && len(files) == 0:
		return reg, nil
	case reg == nil && len(files) == 1:
		return files[0], nil
	case reg != nil || len(files) > 1:
		log.Info("publishing to every destination given", "registry", d.repo, "oci-layout", d.layout, "tarball", d.tarball)
		return &publish.Multi{Files: files, Registry: reg, Logger: log}, nil
	}
	log.Info("no destination configured: writing to the OCI layout " + defaultLayoutDir + " (set --repo to push)")
	return newDefaultLayout(d.tags)
}

// filePublishers are the --oci-layout and --tarball destinations.
func (s *settings) filePublishers() ([]publish.Publisher, error) {
	d := s.dest
	var files []publish.Publisher
	if d.layout != "" {
		l, err := publish.NewLayout(d.layout, d.tags)
		if err != nil {
			return nil, err
		}
		files = append(files, l)
	}
	if d.tarball != "" {
		if n := len(s.build.platforms); n > 1 {
			return nil, fmt.Errorf("--tarball holds one platform but %d were asked for: pass one --platform, or use --oci-layout", n)
		}
		tb, err := publish.NewTarball(d.tarball, d.repo, d.tags)
		if err != nil {
			return nil, err
		}
		files = append(files, tb)
	}
	return files, nil
}

// defaultLayout writes to ./dist/oci; when hoist creates dist/ it puts a
// .gitignore of "*" in it, so the images never show up in the user's git
// status. A dist/ the user made is theirs and left as it is.
type defaultLayout struct {
	*publish.Layout
	dist    string
	created bool
}

func newDefaultLayout(tags []string) (publish.Publisher, error) {
	l, err := publish.NewLayout(filepath.FromSlash(defaultLayoutDir), tags)
	if err != nil {
		return nil, err
	}
	dist := filepath.Dir(l.Dir)
	_, err = os.Stat(dist)
	return &defaultLayout{Layout: l, dist: dist, created: errors.Is(err, fs.ErrNotExist)}, nil
}

func (d *defaultLayout) Publish(ctx context.Context, imageName string, art publish.Artifact) (string, error) {
	if d.created {
		if err := os.MkdirAll(d.dist, 0o755); err != nil {
			return "", fmt.Errorf("creating %s: %w", d.dist, err)
		}
		if err := os.WriteFile(filepath.Join(d.dist, ".gitignore"), []byte("# Created by hoist: build output, not source.\n*\n"), 0o644); err != nil {
			return "", fmt.Errorf("creating %s: %w", d.dist, err)
		}
		d.created = false
	}
	return d.Layout.Publish(ctx, imageName, art)
}

// unusedFlags refuses flags given on the command line that this run's
// destinations ignore: attachments go only to a registry (or --sbom-dir),
// registry settings only matter with a registry or a pulled base.
func (s *settings) unusedFlags(opts pipeline.Options) error {
	if publish.Pushes(opts.Publisher) {
		return nil
	}
	for _, name := range []string{"sbom", "provenance"} {
		if s.given[name] && opts.SBOMDir == "" {
			return fmt.Errorf("--%s sets what is attached to pushed images, and nothing is pushed: add --repo (or HOIST_REPO), or --sbom-dir to write the documents to files", name)
		}
	}
	if base.Synthesized(opts.Base) {
		for _, name := range []string{"insecure", "ca-cert", s.spec.timeoutFlag(), "retries"} {
			if s.given[name] {
				return fmt.Errorf("--%s applies to registries, and this run uses none (no --repo, no pulled --base): add --repo or drop --%s", name, name)
			}
		}
	}
	return nil
}
