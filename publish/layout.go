package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/internal/atomicfile"
	"github.com/hoist-build/hoist/internal/dirlock"
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
	// A concurrent run may be creating the layout right now: look at it
	// under the lock its Publish holds, never at half of its files. A
	// directory missing now may appear half-written a moment later, so
	// there is nothing to check yet: Publish creates or checks it under
	// the lock.
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &Layout{Dir: dir, Tags: tags}, nil
	}
	if err == nil && fi.IsDir() {
		unlock, err := dirlock.Lock(dir)
		if err != nil {
			return nil, fmt.Errorf("locking OCI layout %s: %w", dir, err)
		}
		defer unlock()
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
// "name:tag" for each tag, replacing what that name and tag pointed at. The
// layout is locked for the whole write, so concurrent runs into one layout
// all land, and index.json is replaced by rename, so an interrupted run
// leaves the previous index intact.
func (l *Layout) Publish(ctx context.Context, imageName string, art Artifact) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return "", fmt.Errorf("creating OCI layout %s: %w", l.Dir, err)
	}
	unlock, err := dirlock.Lock(l.Dir)
	if err != nil {
		return "", fmt.Errorf("locking OCI layout %s: %w", l.Dir, err)
	}
	defer unlock()
	p, err := openLayout(l.Dir, true)
	if err != nil {
		return "", err
	}
	desc, err := writeArtifact(p, art)
	if err != nil {
		return "", fmt.Errorf("writing to OCI layout %s: %w", l.Dir, err)
	}
	if err := updateIndex(p, imageName, tagsOrDefault(l.Tags), desc); err != nil {
		return "", fmt.Errorf("updating OCI layout %s: %w", l.Dir, err)
	}
	return l.Dir + "@" + desc.Digest.String(), nil
}

// writeArtifact writes the blobs and manifests (not index.json) and returns
// the artifact's descriptor.
func writeArtifact(p layout.Path, art Artifact) (v1.Descriptor, error) {
	var err error
	switch a := art.(type) {
	case v1.ImageIndex:
		err = p.WriteIndex(a)
	case v1.Image:
		err = p.WriteImage(a)
	default:
		return v1.Descriptor{}, fmt.Errorf("%T is neither an image nor an index", art)
	}
	if err != nil {
		return v1.Descriptor{}, err
	}
	if err := blobsReadable(string(p)); err != nil {
		return v1.Descriptor{}, err
	}
	desc, err := partial.Descriptor(art.(partial.Describable))
	if err != nil {
		return v1.Descriptor{}, err
	}
	return *desc, nil
}

// blobsReadable gives every blob the mode of the layout's other files
// (0644): ggcr writes blobs through os.CreateTemp, which makes them 0600,
// so another user (a registry, a scanner) could read index.json but not the
// blobs it names; and it writes oci-layout executable (0777 less umask).
func blobsReadable(dir string) error {
	if err := os.Chmod(filepath.Join(dir, "oci-layout"), 0o644); err != nil {
		return err
	}
	return filepath.WalkDir(filepath.Join(dir, "blobs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Mode().Perm() != 0o644 {
			return os.Chmod(p, 0o644)
		}
		return nil
	})
}

// updateIndex rewrites index.json with one entry per name:tag pointing at
// desc, dropping the entries those refs named before.
func updateIndex(p layout.Path, imageName string, tags []string, desc v1.Descriptor) error {
	idx, err := p.ImageIndex()
	if err != nil {
		return err
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	refs := map[string]bool{}
	for _, t := range tags {
		refs[imageName+":"+t] = true
	}
	kept := m.Manifests[:0:0]
	for _, d := range m.Manifests {
		if !refs[d.Annotations[RefNameAnnotation]] {
			kept = append(kept, d)
		}
	}
	for _, t := range tags {
		d := desc
		d.Platform, d.ArtifactType = nil, "" // an image, not an artifact

		ref := imageName + ":" + t
		d.Annotations = map[string]string{RefNameAnnotation: ref, "io.containerd.image.name": ref}
		kept = append(kept, d)
	}
	m.Manifests = kept
	data, err := json.MarshalIndent(m, "", "   ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(string(p), "index.json"), data, 0o644)
}
