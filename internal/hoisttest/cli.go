package hoisttest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// WriteFiles writes files (slash-separated path relative to dir → content)
// under dir, creating their directories.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// PullImage reads the image ref names from its registry, as a client would.
func PullImage(t testing.TB, ref string) v1.Image {
	t.Helper()
	img, err := remote.Image(parseRef(t, ref))
	if err != nil {
		t.Fatalf("pulling %s: %v", ref, err)
	}
	return img
}

// PullIndex reads the image index ref names from its registry.
func PullIndex(t testing.TB, ref string) v1.ImageIndex {
	t.Helper()
	idx, err := remote.Index(parseRef(t, ref))
	if err != nil {
		t.Fatalf("pulling %s: %v", ref, err)
	}
	return idx
}

func parseRef(t testing.TB, ref string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(strings.TrimSpace(ref))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// LayerDigests lists the digests of img's layers, base first.
func LayerDigests(t testing.TB, img v1.Image) []v1.Hash {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]v1.Hash, len(ls))
	for i, l := range ls {
		if out[i], err = l.Digest(); err != nil {
			t.Fatal(err)
		}
	}
	return out
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
