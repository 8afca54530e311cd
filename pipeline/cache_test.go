package pipeline_test

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/publish"
)

// cachedBuild builds ./app in dir with the cache at cacheDir and returns the
// digest and the run's log, debug messages included.
func cachedBuild(t *testing.T, dir, cacheDir string, ko *config.Ko) (string, string) {
	t.Helper()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := cache.Open(cacheDir, 0, logger)
	if err != nil {
		t.Fatal(err)
	}
	lay := layoutAt(t, filepath.Join(t.TempDir(), "out"))
	opts := options(t, dir, lay)
	opts.Cache, opts.Logger = c, logger
	if ko != nil {
		opts.Ko = ko
	}
	_, digest, _ := strings.Cut(run(t, opts).Ref, "@")
	return digest, logs.String()
}

// layoutAt is an OCI layout destination at dir.
func layoutAt(t *testing.T, dir string, tags ...string) *publish.Layout {
	t.Helper()
	lay, err := publish.NewLayout(dir, tags)
	if err != nil {
		t.Fatal(err)
	}
	return lay
}

// TestCacheFollowsInputs: an unchanged input reuses the build and keeps the
// digest; a changed source file or ldflags always rebuilds and changes it; a
// corrupted entry is detected, rebuilt, and gives the original digest.
func TestCacheFollowsInputs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mod")
	copyModule(t, repoRoot(t), dir)
	settle(t)
	cacheDir := t.TempDir()

	first, logs := cachedBuild(t, dir, cacheDir, nil)
	if !strings.Contains(logs, "compiled") {
		t.Fatalf("first build did not compile:\n%s", logs)
	}
	again, logs := cachedBuild(t, dir, cacheDir, nil)
	if again != first || strings.Contains(logs, "compiled") || !strings.Contains(logs, "reusing cached build") {
		t.Fatalf("unchanged rebuild: digest %s (first %s), logs:\n%s", again, first, logs)
	}

	ldflags, logs := cachedBuild(t, dir, cacheDir, &config.Ko{DefaultLdflags: []string{"-X main.unused=1"}})
	if ldflags == first || !strings.Contains(logs, "compiled") {
		t.Errorf("changed ldflags: digest %s (first %s), compiled: %v", ldflags, first, strings.Contains(logs, "compiled"))
	}

	corruptEntries(t, cacheDir)
	healed, logs := cachedBuild(t, dir, cacheDir, nil)
	if healed != first || !strings.Contains(logs, "dropping corrupt cache entry") || !strings.Contains(logs, "compiled") {
		t.Errorf("after corruption: digest %s (first %s), logs:\n%s", healed, first, logs)
	}

	src := filepath.Join(dir, "app", "server.go")
	code, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(code), `"World"`, `"Welt"`, 1)
	if changed == string(code) {
		t.Fatal(`app/server.go no longer contains "World": update the test`)
	}
	write(t, src, changed)
	edited, logs := cachedBuild(t, dir, cacheDir, nil)
	if edited == first || !strings.Contains(logs, "compiled") {
		t.Errorf("edited source: digest %s (first %s), compiled: %v", edited, first, strings.Contains(logs, "compiled"))
	}
}

// corruptEntries flips the first byte of every cached layer blob.
func corruptEntries(t *testing.T, cacheDir string) {
	t.Helper()
	blobs, _ := filepath.Glob(filepath.Join(cacheDir, "entries", "*", "layer-*"))
	if len(blobs) == 0 {
		t.Fatal("no cached layer to corrupt")
	}
	for _, b := range blobs {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		data[0] ^= 0xff
		// Write a new file: the entry may share its inode with a build's blob.
		os.Remove(b)
		if err := os.WriteFile(b, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
