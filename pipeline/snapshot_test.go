package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/pipeline"
)

// TestSnapshotSkipsGoListOnlyWhenUnchanged: a rebuild with nothing changed
// takes the snapshot path (no go list) and keeps the digest; a new file in
// the package directory, or an edit that keeps the file's size, is noticed
// and changes the digest.
func TestSnapshotSkipsGoListOnlyWhenUnchanged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mod")
	copyModule(t, repoRoot(t), dir)
	settle(t)
	cacheDir := t.TempDir()
	build := func() (string, string) { return cachedBuild(t, dir, cacheDir, nil) }
	const skipped = "skipping go list"
	first, logs := build()
	if strings.Contains(logs, skipped) {
		t.Fatal("first build claimed a snapshot")
	}
	again, logs := build()
	if again != first || !strings.Contains(logs, skipped) || strings.Contains(logs, "compiled") {
		t.Fatalf("unchanged rebuild: digest %s (first %s), logs:\n%s", again, first, logs)
	}

	write(t, filepath.Join(dir, "app", "zz_extra.go"), "package main\n\nimport \"os\"\n\nfunc init() { os.Setenv(\"X\", \"1\") }\n")
	added, logs := build()
	if added == first || strings.Contains(logs, skipped) || !strings.Contains(logs, "compiled") {
		t.Errorf("new file: digest %s (first %s), skipped go list: %v", added, first, strings.Contains(logs, skipped))
	}

	// Same size, same mtime: only ctime (and content) tell the edit apart.
	src := filepath.Join(dir, "app", "zz_extra.go")
	fi, _ := os.Stat(src)
	write(t, src, "package main\n\nimport \"os\"\n\nfunc init() { os.Setenv(\"X\", \"2\") }\n")
	os.Chtimes(src, fi.ModTime(), fi.ModTime())
	edited, logs := build()
	if edited == added || strings.Contains(logs, skipped) {
		t.Errorf("same-size edit with mtime restored: digest %s (before %s), skipped go list: %v", edited, added, strings.Contains(logs, skipped))
	}
}

// TestSnapshotCatchesPackageClauseEdit: after an edit that keeps every
// directory, the package lookup is reused, so an edit turning the package
// into a library must still be refused with the lookup's clear error.
func TestSnapshotCatchesPackageClauseEdit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mod")
	copyModule(t, repoRoot(t), dir)
	c, err := cache.Open(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	buildOnce := func() error {
		lay := layoutAt(t, filepath.Join(t.TempDir(), "out"))
		opts := options(t, dir, lay)
		opts.Cache = c
		_, err = pipeline.Run(context.Background(), opts)
		return err
	}
	if err := buildOnce(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "app", "*.go"))
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		code, _ := os.ReadFile(f)
		write(t, f, strings.Replace(string(code), "package main", "package notmain", 1))
	}
	err = buildOnce()
	if err == nil || !strings.Contains(err.Error(), "not a main package") {
		t.Fatalf("err = %v, want the not-a-main-package error", err)
	}
}
