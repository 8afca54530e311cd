package layers

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestGzipSizeMatchesKo compresses a real Go binary (this test's own) and
// compares the layer with the standard library's gzip at BestSpeed, what
// ko writes through go-containerregistry: hoist's parallel gzip must not
// cost more than 0.5 % in size.
func TestGzipSizeMatchesKo(t *testing.T) {
	bin := hoisttest.Must(t, os.Executable)
	l, err := New(context.Background(), []Entry{Binary(bin, "app")}, Options{Time: time.Unix(0, 0), Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	size, _ := l.Size()
	rc := hoisttest.Must(t, l.Uncompressed)
	defer rc.Close()
	var ko bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&ko, gzip.BestSpeed)
	if _, err := io.Copy(zw, rc); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	ratio := float64(size) / float64(ko.Len())
	t.Logf("layer %d bytes, stdlib BestSpeed %d bytes: %.2f %%", size, ko.Len(), 100*(ratio-1))
	if ratio > 1.005 {
		t.Errorf("the binary layer is %.2f %% larger than gzip BestSpeed of the same tar, want at most 0.5 %%", 100*(ratio-1))
	}
}
