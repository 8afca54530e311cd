package containerd

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/hoist-build/hoist/publish"
)

// KindHost is ko's sentinel repository for loading into kind's nodes
// (KO_DOCKER_REPO=kind.local).
const KindHost = "kind.local"

// Kind loads images into the nodes of a kind cluster with `kind load
// image-archive`, which imports a tarball into each node's containerd.
// The import rewrites the manifest, so the image's digest is not what
// containerd records: as ko does, the reference returned is a tag named
// by the digest, kind.local/NAME:<hex>, which pins the build just as well
// and which the kubelet finds locally (a tag other than latest defaults to
// imagePullPolicy IfNotPresent).
type Kind struct {
	// Bin is the kind executable, Cluster the cluster's name ("kind" when
	// empty, as kind and ko default).
	Bin, Cluster string
	Tags         []string
	// WorkDir holds the tarball while it is loaded.
	WorkDir string
	Logger  *slog.Logger
}

// NewKind checks the tags; bin must be the kind executable, found by the
// caller, which knows how to tell the user it is missing.
func NewKind(bin, cluster, workDir string, tags []string, log *slog.Logger) (*Kind, error) {
	if err := publish.ValidateTags(tags); err != nil {
		return nil, err
	}
	if cluster == "" {
		cluster = "kind"
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Kind{Bin: bin, Cluster: cluster, Tags: tags, WorkDir: workDir, Logger: log}, nil
}

// Publish loads one platform's image; kind's nodes have one platform, so
// an index is narrowed to linux/amd64 unless it has a single entry.
func (k *Kind) Publish(ctx context.Context, imageName string, art publish.Artifact) (string, error) {
	img, err := onePlatform(art)
	if err != nil {
		return "", fmt.Errorf("loading %s into kind: %w", imageName, err)
	}
	h, err := img.Digest()
	if err != nil {
		return "", err
	}
	repo, err := name.NewRepository(KindHost + "/" + imageName)
	if err != nil {
		return "", fmt.Errorf("loading into kind: invalid image name %q: %w", imageName, err)
	}
	ref := repo.Tag(h.Hex)
	refs := map[name.Tag]v1.Image{ref: img}
	for _, t := range k.Tags {
		refs[repo.Tag(t)] = img
	}
	f, err := os.CreateTemp(k.WorkDir, "kind-*.tar")
	if err != nil {
		return "", fmt.Errorf("loading into kind: %w", err)
	}
	defer os.Remove(f.Name())
	err = tarball.MultiWrite(refs, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("loading into kind: writing the image archive: %w", err)
	}
	out, err := exec.CommandContext(ctx, k.Bin, "load", "image-archive", f.Name(), "--name", k.Cluster).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("loading into kind cluster %q: kind load image-archive: %w: %s", k.Cluster, err, strings.TrimSpace(string(out)))
	}
	k.Logger.Info("loaded into kind", "image", ref.String(), "cluster", k.Cluster)
	return ref.String(), nil
}

func onePlatform(art publish.Artifact) (v1.Image, error) {
	switch a := art.(type) {
	case v1.Image:
		return a, nil
	case v1.ImageIndex:
		m, err := a.IndexManifest()
		if err != nil {
			return nil, err
		}
		for _, d := range m.Manifests {
			if len(m.Manifests) == 1 || d.Platform != nil && d.Platform.OS == "linux" && d.Platform.Architecture == "amd64" {
				return a.Image(d.Digest)
			}
		}
		return nil, fmt.Errorf("a kind node runs one platform: pass --platform with the nodes' platform")
	}
	return nil, fmt.Errorf("%T is neither an image nor an index", art)
}
