package publish

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/match"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// RefNameAnnotation is the OCI annotation that names an entry of a layout's
// index.json; skopeo and crane select images by it.
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// Layout publishes into an OCI image layout directory.
type Layout struct {
	Dir  string
	Tags []string
}

// NewLayout validates the destination before anything is built: it must be
// an OCI layout already, or an empty or missing directory.
func NewLayout(dir string, tags []string) (*Layout, error) {
	if err := ValidateTags(tags); err != nil {
		return nil, err
	}
	if _, err := openLayout(dir, false); err != nil {
		return nil, err
	}
	return &Layout{Dir: dir, Tags: tags}, nil
}

// openLayout opens dir as a layout, creating it when it is missing or empty
// and create is set. Anything else is refused rather than written into, so a
// typo never scatters blobs over an unrelated directory.
func openLayout(dir string, create bool) (layout.Path, error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist) || (err == nil && len(entries) == 0):
		if !create {
			return "", nil
		}
		p, err := layout.Write(dir, mutate.IndexMediaType(empty.Index, types.OCIImageIndex))
		if err != nil {
			return "", fmt.Errorf("creating OCI layout %s: %w", dir, err)
		}
		return p, nil
	case err != nil:
		return "", fmt.Errorf("opening OCI layout %s: %w", dir, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.json")); err != nil {
		return "", fmt.Errorf("%s is not an OCI image layout (no index.json): pass an empty or new directory", dir)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		return "", fmt.Errorf("%s is not a valid OCI image layout: %w", dir, err)
	}
	return p, nil
}

// Publish writes the blobs, then records the artifact in index.json under
// "name:tag" for each tag, replacing what that name and tag pointed at.
func (l *Layout) Publish(ctx context.Context, imageName string, art Artifact) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	p, err := openLayout(l.Dir, true)
	if err != nil {
		return "", err
	}
	digest, err := digestOf(art)
	if err != nil {
		return "", err
	}
	for _, tag := range tagsOrDefault(l.Tags) {
		ref := imageName + ":" + tag
		opt := layout.WithAnnotations(map[string]string{
			RefNameAnnotation:          ref,
			"io.containerd.image.name": ref,
		})
		switch a := art.(type) {
		case v1.ImageIndex:
			err = p.ReplaceIndex(a, match.Annotation(RefNameAnnotation, ref), opt)
		case v1.Image:
			err = p.ReplaceImage(a, match.Annotation(RefNameAnnotation, ref), opt)
		}
		if err != nil {
			return "", fmt.Errorf("writing %s to OCI layout %s: %w", ref, l.Dir, err)
		}
	}
	return l.Dir + "@" + digest.String(), nil
}
