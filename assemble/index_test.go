package assemble

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

func platformImages(t *testing.T, platforms ...v1.Platform) []v1.Image {
	t.Helper()
	base := distrolessLayers(t)
	app := appLayer(t, "app")
	var out []v1.Image
	for _, p := range platforms {
		b, err := Distroless(p, base, created)
		if err != nil {
			t.Fatal(err)
		}
		img, err := Image(context.Background(), Options{Base: b, Platform: p, Layers: []Layer{app}, Entrypoint: []string{"/ko-app/app"}, Created: created})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, img)
	}
	return out
}

func TestIndex(t *testing.T) {
	amd64 := v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64 := v1.Platform{OS: "linux", Architecture: "arm64"}
	armv7 := v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	imgs := platformImages(t, arm64, armv7, amd64)
	byPlatform := map[string]v1.Image{}
	for _, img := range imgs {
		cfg := hoisttest.Must(t, img.ConfigFile)
		byPlatform[cfg.Platform().String()] = img
	}

	orders := map[string][]v1.Image{
		"arm64 armv7 amd64": imgs,
		"amd64 arm64 armv7": {imgs[2], imgs[0], imgs[1]},
		"armv7 amd64 arm64": {imgs[1], imgs[2], imgs[0]},
	}
	var first v1.Hash
	for name, in := range orders {
		inCopy := append([]v1.Image(nil), in...)
		idx, err := Index(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(in, inCopy) {
			t.Errorf("%s: Index reordered its argument", name)
		}
		d := hoisttest.Must(t, idx.Digest)
		if first == (v1.Hash{}) {
			first = d
		} else if d != first {
			t.Errorf("%s: index digest %s, want %s whatever the input order", name, d, first)
		}
		if err := validate.Index(idx); err != nil {
			t.Fatalf("%s: validate.Index: %v", name, err)
		}
		if mt, _ := idx.MediaType(); mt != types.OCIImageIndex {
			t.Errorf("%s: media type %q", name, mt)
		}
		checkIndexManifests(t, name, idx, byPlatform)
	}
}

// checkIndexManifests: one OCI manifest per platform, sorted, each that
// platform's image.
func checkIndexManifests(t *testing.T, name string, idx v1.ImageIndex, byPlatform map[string]v1.Image) {
	t.Helper()
	im := hoisttest.Must(t, idx.IndexManifest)
	var got []string
	for _, desc := range im.Manifests {
		if desc.Platform == nil {
			t.Fatalf("%s: descriptor %s has no platform", name, desc.Digest)
		}
		got = append(got, desc.Platform.String())
		want := byPlatform[desc.Platform.String()]
		if want == nil || desc.Digest != hoisttest.Must(t, want.Digest) {
			t.Errorf("%s: %s points at %s, not that platform's image", name, desc.Platform, desc.Digest)
		}
		if desc.MediaType != types.OCIManifestSchema1 {
			t.Errorf("%s: %s media type %q", name, desc.Platform, desc.MediaType)
		}
	}
	if want := []string{"linux/amd64", "linux/arm/v7", "linux/arm64"}; !reflect.DeepEqual(got, want) {
		t.Errorf("%s: platforms %q, want %q", name, got, want)
	}
}

type badConfigImage struct{ v1.Image }

func (badConfigImage) ConfigFile() (*v1.ConfigFile, error) {
	return nil, errors.New("config unavailable")
}

func TestIndexConfigError(t *testing.T) {
	imgs := platformImages(t, v1.Platform{OS: "linux", Architecture: "amd64"})
	_, err := Index([]v1.Image{badConfigImage{imgs[0]}})
	if err == nil || !strings.Contains(err.Error(), "reading config") || !strings.Contains(err.Error(), "config unavailable") {
		t.Errorf("error %v, want one wrapping the config error", err)
	}
}
