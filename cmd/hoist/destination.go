package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/registry"
)

// publisher builds the destinations: every one given is written, as ko
// does (--oci-layout and --tarball files, and the registry of --repo,
// HOIST_REPO or KO_DOCKER_REPO); with none, the default layout.
func (s *settings) publisher(log *slog.Logger, remote registry.Options, platforms []v1.Platform) (publish.Publisher, error) {
	layout, tarball, repo := s.v.GetString("oci-layout"), s.v.GetString("tarball"), s.v.GetString("repo")
	tags := s.list("tag", true)
	if s.v.GetBool("bare") && repo == "" {
		return nil, fmt.Errorf("--bare names the image after the registry repository, but none is set: add --repo (or HOIST_REPO), or drop --bare")
	}
	var files []publish.Publisher
	if layout != "" {
		l, err := publish.NewLayout(layout, tags)
		if err != nil {
			return nil, err
		}
		files = append(files, l)
	}
	if tarball != "" {
		if len(platforms) > 1 {
			return nil, fmt.Errorf("--tarball holds one platform but %d were asked for: pass one --platform, or use --oci-layout", len(platforms))
		}
		tb, err := publish.NewTarball(tarball, repo, tags)
		if err != nil {
			return nil, err
		}
		files = append(files, tb)
	}
	if repo != "" {
		local, err := s.localPublisher(repo, tags, log)
		switch {
		case err != nil:
			return nil, err
		case local != nil && len(files) > 0:
			return nil, fmt.Errorf("--repo %s loads into a container runtime and cannot be combined with --oci-layout or --tarball: run them separately", repo)
		case local != nil:
			return local, nil
		}
	}
	var reg *publish.Registry
	if repo != "" {
		ropts := publish.RegistryOptions{Repo: repo, Bare: s.v.GetBool("bare"), Tags: tags, Remote: remote, Logger: log, Progress: s.upload}
		if s.sources != nil {
			ropts.Sources = s.sources
		}
		var err error
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
		log.Info("publishing to every destination given", "registry", repo, "oci-layout", layout, "tarball", tarball)
		return &publish.Multi{Files: files, Registry: reg, Logger: log}, nil
	}
	log.Info("no destination configured: writing to the OCI layout " + defaultLayoutDir + " (set --repo to push)")
	return newDefaultLayout(tags)
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
	if s.flags == nil || publish.Pushes(opts.Publisher) {
		return nil
	}
	given := func(name string) bool { f := s.flags.Lookup(name); return f != nil && f.Changed }
	for _, name := range []string{"sbom", "provenance"} {
		if given(name) && opts.SBOMDir == "" {
			return fmt.Errorf("--%s sets what is attached to pushed images, and nothing is pushed: add --repo (or HOIST_REPO), or --sbom-dir to write the documents to files", name)
		}
	}
	if base.Synthesized(opts.Base) {
		for _, name := range []string{"insecure", "ca-cert", "timeout", "retries"} {
			if given(name) {
				return fmt.Errorf("--%s applies to registries, and this run uses none (no --repo, no pulled --base): add --repo or drop --%s", name, name)
			}
		}
	}
	return nil
}
