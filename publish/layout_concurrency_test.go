package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hoist-build/hoist/internal/registrytest"
)

// TestConcurrentLayoutPublishes publishes many images into one layout at
// once: every one must be listed in a valid index.json afterwards.
func TestConcurrentLayoutPublishes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "oci")
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		img := randomImage(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := NewLayout(dir, nil)
			if err == nil {
				_, err = l.Publish(context.Background(), fmt.Sprint("img", i), img)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	idx, m := registrytest.LayoutIndex(t, dir)
	seen := map[string]bool{}
	for _, d := range m.Manifests {
		seen[d.Annotations[RefNameAnnotation]] = true
		if _, err := idx.Image(d.Digest); err != nil {
			t.Errorf("%s listed but unreadable: %v", d.Annotations[RefNameAnnotation], err)
		}
	}
	for i := 0; i < n; i++ {
		if !seen[fmt.Sprintf("img%d:latest", i)] {
			t.Errorf("img%d missing from index.json (has %v)", i, seen)
		}
	}
}

// TestFailedLayoutPublishKeepsIndex: a publish that fails partway (a blob
// that cannot be read) leaves index.json exactly as it was.
func TestFailedLayoutPublishKeepsIndex(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "oci")
	l := newLayout(t, dir, nil)
	if _, err := l.Publish(context.Background(), "good", randomImage(t)); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Publish(context.Background(), "good", brokenImage(t)); err == nil {
		t.Fatal("publishing an unreadable image succeeded")
	}
	after, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Errorf("index.json changed by a failed publish:\nbefore %s\nafter  %s", before, after)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".index.json-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}
