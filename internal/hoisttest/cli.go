package hoisttest

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

// PullImage reads the image ref names from its registry, as a client would.
func PullImage(t testing.TB, ref string) v1.Image {
	t.Helper()
	return pull(t, ref, remote.Image)
}

// PullIndex reads the image index ref names from its registry.
func PullIndex(t testing.TB, ref string) v1.ImageIndex {
	t.Helper()
	return pull(t, ref, remote.Index)
}

func pull[T any](t testing.TB, ref string, get func(name.Reference, ...remote.Option) (T, error)) T {
	t.Helper()
	r, err := name.ParseReference(strings.TrimSpace(ref))
	if err != nil {
		t.Fatal(err)
	}
	v, err := get(r)
	if err != nil {
		t.Fatalf("pulling %s: %v", ref, err)
	}
	return v
}

// IndexImages checks that idx validates and returns the platform each of
// its entries claims and the entry's image.
func IndexImages(t testing.TB, idx v1.ImageIndex) ([]v1.Platform, []v1.Image) {
	t.Helper()
	if err := validate.Index(idx); err != nil {
		t.Fatalf("index does not validate: %v", err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	platforms, imgs := make([]v1.Platform, len(m.Manifests)), make([]v1.Image, len(m.Manifests))
	for i, d := range m.Manifests {
		if d.Platform != nil {
			platforms[i] = *d.Platform
		}
		if imgs[i], err = idx.Image(d.Digest); err != nil {
			t.Fatal(err)
		}
	}
	return platforms, imgs
}

// Failed checks the outcome of a step that must fail when want is set: an
// error containing want, and nothing on stdout. It reports whether want
// was set (the caller's case ends there); otherwise an error fails t.
func Failed(t testing.TB, stdout string, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) || stdout != "" {
		t.Fatalf("stdout %q, err %v; want no output and an error containing %q", stdout, err, want)
	}
	return true
}

// ConfigFile is img's config file.
func ConfigFile(t testing.TB, img v1.Image) *v1.ConfigFile {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Fields are the values a test checks, a row each: what the value is, what
// it was found to be, and what it must be (compared with ==).
type Fields [][3]any

// CheckFields reports every field that is not what it must be, after
// prefix when there is one.
func CheckFields(t testing.TB, prefix string, fields Fields) {
	t.Helper()
	if prefix != "" {
		prefix += ": "
	}
	for _, f := range fields {
		if f[1] != f[2] {
			t.Errorf("%s%v = %v, want %v", prefix, f[0], f[1], f[2])
		}
	}
}
