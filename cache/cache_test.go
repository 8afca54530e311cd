package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

type data struct{ N int }

func put(t *testing.T, c *Cache, key, content string) {
	t.Helper()
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(key, []File{{Name: "f", Path: src}}, data{len(content)}); err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	c, err := Open(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if e, err := c.Get("missing", &data{}); e != nil || err != nil {
		t.Fatalf("Get(missing) = %v, %v", e, err)
	}
	put(t, c, "k", "hello")
	var d data
	e, err := c.Get("k", &d)
	if err != nil || e == nil {
		t.Fatalf("Get(k) = %v, %v", e, err)
	}
	got, err := os.ReadFile(e.Path("f"))
	if err != nil || string(got) != "hello" || d.N != 5 {
		t.Fatalf("entry holds %q (%v), data %+v", got, err, d)
	}
}

func TestCorruptEntryIsDropped(t *testing.T) {
	cases := []struct {
		name    string
		corrupt func(dir string) error
	}{
		{"file changed", func(dir string) error { return os.WriteFile(filepath.Join(dir, "f"), []byte("HELLO"), 0o644) }},
		{"file missing", func(dir string) error { return os.Remove(filepath.Join(dir, "f")) }},
		{"meta garbled", func(dir string) error { return os.WriteFile(filepath.Join(dir, metaFile), []byte("{"), 0o644) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			c, _ := Open(root, 0, nil)
			put(t, c, "k", "hello")
			if err := tc.corrupt(filepath.Join(root, entriesDir, "k")); err != nil {
				t.Fatal(err)
			}
			if e, err := c.Get("k", &data{}); e != nil || err != nil {
				t.Fatalf("corrupt entry returned: %v, %v", e, err)
			}
			if _, err := os.Stat(filepath.Join(root, entriesDir, "k")); !os.IsNotExist(err) {
				t.Errorf("corrupt entry left in place: %v", err)
			}
			put(t, c, "k", "hello")
			if e, _ := c.Get("k", &data{}); e == nil {
				t.Error("rebuilt entry not found")
			}
		})
	}
}

// TestConcurrentPut stores the same key from many goroutines, as parallel
// hoist runs would: every call succeeds and one valid entry remains.
func TestConcurrentPut(t *testing.T) {
	c, _ := Open(t.TempDir(), 0, nil)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := filepath.Join(t.TempDir(), "f")
			os.WriteFile(src, []byte("same"), 0o644)
			errs <- c.Put("k", []File{{Name: "f", Path: src}}, data{4})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if e, _ := c.Get("k", &data{}); e == nil {
		t.Fatal("no valid entry after concurrent puts")
	}
}

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	root := t.TempDir()
	c, _ := Open(root, 2500, nil)
	for i := 0; i < 3; i++ {
		put(t, c, fmt.Sprint("k", i), string(make([]byte, 1000)))
		if i == 0 {
			continue
		}
		c.Get("k0", &data{}) // k0 stays the most recently used
	}
	// k0..k2 hold 3000 bytes of files plus meta: over the bound, so the
	// least recently used, k1, must have gone.
	if e, _ := c.Get("k0", &data{}); e == nil {
		t.Error("recently used k0 was evicted")
	}
	if _, err := os.Stat(filepath.Join(root, entriesDir, "k1")); !os.IsNotExist(err) {
		t.Error("least recently used k1 was kept")
	}
}

// TestEvictionSparesRecords: records are not entries; however full the
// cache, eviction removes entries and stale outputs, never records/.
func TestEvictionSparesRecords(t *testing.T) {
	root := t.TempDir()
	c, _ := Open(root, 1500, nil)
	if err := c.WriteJSON("snap", data{7}); err != nil {
		t.Fatal(err)
	}
	out, unlock, err := c.Output("o")
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if err := os.WriteFile(filepath.Join(out, "bin"), make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(out, old, old)
	put(t, c, "k", string(make([]byte, 1000)))
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("least recently used output was kept")
	}
	var d data
	if !c.ReadJSON("snap", &d) || d.N != 7 {
		t.Error("eviction removed a record")
	}
	if e, _ := c.Get("k", &data{}); e == nil {
		t.Error("newest entry was evicted")
	}
}

func TestKeyParts(t *testing.T) {
	if Key("ab", "c") == Key("a", "bc") {
		t.Error("Key does not separate parts")
	}
	// The format is part of every key on disk: changing it must be a
	// deliberate act that also orphans old entries.
	sum := sha256.Sum256([]byte("1:a\n"))
	if Key("a") != hex.EncodeToString(sum[:]) {
		t.Errorf("Key(a) = %s, want sha256 of the length-prefixed part", Key("a"))
	}
}
