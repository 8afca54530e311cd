package dev

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/internal/hoisttest"
)

// module writes a module with two commands sharing a library, one with
// kodata, and returns its directory.
func module(t *testing.T) string {
	return hoisttest.Module(t, "example.com/svc", map[string]string{
		"cmd/api/main.go":      "package main\n\nimport _ \"example.com/svc/lib\"\n\nfunc main() {}\n",
		"cmd/api/kodata/a.txt": "static\n",
		"cmd/worker/main.go":   "package main\n\nfunc main() {}\n",
		"lib/lib.go":           "package lib\n",
	})
}

func TestAffected(t *testing.T) {
	dir := module(t)
	paths := []string{"example.com/svc/cmd/api", "example.com/svc/cmd/worker"}
	env := hoisttest.Environ(t, "GOFLAGS=-mod=mod", "GOWORK=off")
	tc, err := build.LoadToolchain(context.Background(), dir, env)
	if err != nil {
		t.Fatal(err)
	}
	s, err := FindSources(context.Background(), tc, dir, env, paths)
	if err != nil {
		t.Fatal(err)
	}
	at := func(p string) string { return filepath.Join(dir, filepath.FromSlash(p)) }
	cases := []struct {
		name    string
		changed []string
		want    []string
	}{
		{"own source", []string{at("cmd/worker/main.go")}, paths[1:]},
		{"shared library", []string{at("lib/lib.go")}, paths[:1]},
		{"new file in a package", []string{at("lib/more.go")}, paths[:1]},
		{"kodata, nested", []string{at("cmd/api/kodata/sub/b.txt")}, paths[:1]},
		{"go.mod", []string{at("go.mod")}, paths},
		{"go.sum", []string{at("go.sum")}, paths},
		{"a test", []string{at("lib/lib_test.go")}, nil},
		{"editor files", []string{at("lib/.lib.go.swp"), at("lib/lib.go~"), at("lib/4913")}, nil},
		{"elsewhere", []string{at("README.md"), at("docs/x.go")}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := s.Affected(paths, tc.changed); !slices.Equal(got, tc.want) {
				t.Errorf("Affected(%v) = %v, want %v", tc.changed, got, tc.want)
			}
		})
	}
	watch := s.WatchList()
	for _, want := range []string{at("cmd/api"), at("cmd/worker"), at("lib"), at("cmd/api/kodata"), dir} {
		if !slices.Contains(watch, want) {
			t.Errorf("WatchList() = %v, lacks %s", watch, want)
		}
	}
}

// TestWatcherBatches checks that a burst of writes arrives as one batch
// naming each file once, and a later write as another batch.
func TestWatcherBatches(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// Longer than the default, so a loaded machine's pause between the
	// test's writes does not split the burst.
	w.Quiet = 300 * time.Millisecond
	if n, err := w.Watch(dir, dir); err != nil || n != 1 {
		t.Fatalf("Watch(dir, dir) = %d, %v; want 1 directory added", n, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	batches := w.Batches(ctx, make(chan error, 1))
	a, b := filepath.Join(dir, "a.go"), filepath.Join(dir, "b.go")
	for _, f := range []string{a, b, a} {
		if err := os.WriteFile(f, []byte("package x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := <-batches
	slices.Sort(got)
	if !slices.Equal(got, []string{a, b}) {
		t.Errorf("first batch = %v, want [%s %s]", got, a, b)
	}
	if err := os.Rename(a, filepath.Join(dir, "c.go")); err != nil {
		t.Fatal(err)
	}
	got = <-batches
	slices.Sort(got)
	if want := []string{a, filepath.Join(dir, "c.go")}; !slices.Equal(got, want) {
		t.Errorf("second batch = %v, want %v", got, want)
	}
}
