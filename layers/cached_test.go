package layers

import (
	"testing"

	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestCached: blobs put with their metadata and other files come back with
// the same descriptors; a miss is nil; a blob kept in memory is refused.
func TestCached(t *testing.T) {
	c := hoisttest.Must(t, func() (*cache.Cache, error) { return cache.Open(t.TempDir(), 0, nil) })
	if blobs, e := GetCached(c, "k", nil); blobs != nil || e != nil {
		t.Fatalf("empty cache gave %v, %v", blobs, e)
	}
	l := mustNew(t, sampleEntries(t), Options{Time: epoch2023, Dir: t.TempDir()})
	extra := cache.File{Name: "note", Path: l.Path()}
	if err := PutCached(c, "k", []*Blob{l, l}, []cache.File{extra}, []string{"a", "b"}); err != nil {
		t.Fatal(err)
	}
	var meta []string
	blobs, e := GetCached(c, "k", &meta)
	if len(blobs) != 2 || e == nil || len(meta) != 2 || meta[1] != "b" {
		t.Fatalf("got %d blobs, entry %v, meta %q", len(blobs), e, meta)
	}
	for _, b := range blobs {
		if b.Descriptor() != l.Descriptor() || b.Path() == l.Path() {
			t.Errorf("cached blob %+v at %s, want %+v in the cache", b.Descriptor(), b.Path(), l.Descriptor())
		}
		if got := compressedBytes(t, b); string(got) != string(compressedBytes(t, l)) {
			t.Error("cached blob differs")
		}
	}
	if cacheFile := e.Path("note"); cacheFile == "" {
		t.Error("no path for the extra file")
	}
	inMemory := mustNew(t, sampleEntries(t), Options{Time: epoch2023})
	if err := PutCached(c, "m", []*Blob{inMemory}, nil, nil); err == nil {
		t.Error("a blob in memory was cached")
	}
}
