package registrytest

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// Image reads the image ref names (as the CLI printed it: surrounding
// white space is ignored) from its registry, as a client would.
func Image(t testing.TB, ref string, opts ...remote.Option) v1.Image {
	t.Helper()
	img, err := remote.Image(parse(t, strings.TrimSpace(ref)), opts...)
	if err != nil {
		t.Fatalf("pulling %s: %v", ref, err)
	}
	return img
}

// IndexImages checks that idx validates and returns the platform each of
// its entries claims and the entry's image.
func IndexImages(t testing.TB, idx v1.ImageIndex) ([]v1.Platform, []v1.Image) {
	t.Helper()
	if err := validate.Index(idx); err != nil {
		t.Fatalf("index does not validate: %v", err)
	}
	m := IndexManifest(t, idx)
	platforms, imgs := make([]v1.Platform, len(m.Manifests)), make([]v1.Image, len(m.Manifests))
	for i, d := range m.Manifests {
		if d.Platform != nil {
			platforms[i] = *d.Platform
		}
		var err error
		if imgs[i], err = idx.Image(d.Digest); err != nil {
			t.Fatal(err)
		}
	}
	return platforms, imgs
}
