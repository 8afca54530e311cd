package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// Tarball publishes a `docker load`-able tarball.
type Tarball struct {
	Path string
	// Repo prefixes the image name in the tarball's tags, when set.
	Repo string
	Tags []string
}

// NewTarball checks that the file can be created before anything is built.
func NewTarball(path, repo string, tags []string) (*Tarball, error) {
	if err := ValidateTags(tags); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("writing tarball %s: directory %s does not exist: create it first", path, dir)
	}
	return &Tarball{Path: path, Repo: repo, Tags: tags}, nil
}

// Publish writes the tarball to a temporary file beside the destination and
// renames it into place, so the file is either the old one or complete.
func (t *Tarball) Publish(ctx context.Context, imageName string, art Artifact) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	img, ok := art.(v1.Image)
	if !ok {
		return "", fmt.Errorf("writing tarball %s: a tarball holds one platform: pass one --platform, or use --oci-layout for several", t.Path)
	}
	refs := map[name.Reference]v1.Image{}
	repo := imageName
	if t.Repo != "" {
		repo = t.Repo + "/" + imageName
	}
	for _, tag := range tagsOrDefault(t.Tags) {
		ref, err := name.NewTag(repo + ":" + tag)
		if err != nil {
			return "", fmt.Errorf("invalid image name %q: %w", repo+":"+tag, err)
		}
		refs[ref] = img
	}
	digest, err := img.Digest()
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(t.Path), ".hoist-*.tar")
	if err != nil {
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600; a tarball is meant to be shared.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	if err := tarball.MultiRefWrite(refs, tmp); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	if err := os.Rename(tmp.Name(), t.Path); err != nil {
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	return t.Path + "@" + digest.String(), nil
}
