package hoisttest

import (
	"archive/tar"
	"errors"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TarEntries calls fn with each entry of the tar stream r and a reader of
// its contents, in order, until the stream ends or fn returns false.
func TarEntries(t testing.TB, r io.Reader, fn func(h *tar.Header, body io.Reader) bool) {
	t.Helper()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("reading tar: %v", err)
		}
		if !fn(h, tr) {
			return
		}
	}
}

// LayerEntries is TarEntries over the uncompressed contents of l.
func LayerEntries(t testing.TB, l v1.Layer, fn func(h *tar.Header, body io.Reader) bool) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	TarEntries(t, rc, fn)
}
