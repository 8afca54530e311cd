package registrytest

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// RandomImage is a small random image of two layers.
func RandomImage(t testing.TB) v1.Image {
	t.Helper()
	img, err := random.Image(256, 2)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// PlatformImage is a random OCI image whose config names a platform.
func PlatformImage(t testing.TB, p v1.Platform) v1.Image {
	t.Helper()
	img := mutate.MediaType(RandomImage(t), types.OCIManifestSchema1)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Architecture, p.Variant
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// PlatformIndex is an OCI index of one image per platform, and those
// images by platform string.
func PlatformIndex(t testing.TB, ps ...v1.Platform) (v1.ImageIndex, map[string]v1.Image) {
	t.Helper()
	imgs := map[string]v1.Image{}
	var adds []mutate.IndexAddendum
	for _, p := range ps {
		img := PlatformImage(t, p)
		imgs[p.String()] = img
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	return mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), adds...), imgs
}

// DigestOf is the digest of an image, index or layer, failing the test on
// an error.
func DigestOf(t testing.TB, d interface{ Digest() (v1.Hash, error) }) v1.Hash {
	t.Helper()
	h, err := d.Digest()
	if err != nil {
		t.Fatalf("Digest: %v", err)
	}
	return h
}

// LayoutIndex reads the index.json of the OCI image layout at dir.
func LayoutIndex(t testing.TB, dir string) (v1.ImageIndex, *v1.IndexManifest) {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	return idx, IndexManifest(t, idx)
}

// IndexManifest is idx's manifest, failing the test if it cannot be read.
func IndexManifest(t testing.TB, idx v1.ImageIndex) *v1.IndexManifest {
	t.Helper()
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatalf("reading an index manifest: %v", err)
	}
	return im
}
