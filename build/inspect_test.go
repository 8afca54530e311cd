package build

import (
	"context"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// writeModule creates a throwaway module example.com/x with the given files
// (path → contents). It has no dependencies, so nothing touches the network.
func writeModule(t *testing.T, files map[string]string) string {
	return hoisttest.Module(t, "example.com/x", files)
}

// mainModule is writeModule with an empty command in each directory of
// mains, besides files.
func mainModule(t *testing.T, mains []string, files map[string]string) string {
	t.Helper()
	for _, d := range mains {
		files[path.Join(d, "main.go")] = "package main\n\nfunc main() {}\n"
	}
	return writeModule(t, files)
}

func TestInspect(t *testing.T) {
	ctx := context.Background()
	dir := mainModule(t, []string{".", "app"}, map[string]string{"lib/lib.go": "package lib\n", "empty/README": "no go here\n"})
	environ := testEnviron(dir)

	tests := []struct {
		pkg        string
		importPath string
		wantErr    string
	}{
		{pkg: ".", importPath: "example.com/x"},
		{pkg: "./app", importPath: "example.com/x/app"},
		{pkg: "example.com/x/app", importPath: "example.com/x/app"},
		{pkg: "./lib", wantErr: `./lib is package "lib", not a main package: hoist builds commands (package main)`},
		{pkg: "./missing", wantErr: "inspecting ./missing: stat " + filepath.Join(dir, "missing") + ": directory not found"},
		{pkg: "./empty", wantErr: "inspecting ./empty: no Go files in " + filepath.Join(dir, "empty")},
		{pkg: "example.com/nope", wantErr: "inspecting example.com/nope: no required module provides package example.com/nope; to add it: go get example.com/nope"},
		{pkg: "./...", wantErr: "inspecting ./...: matches 3 packages, want exactly one"},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			got, err := Inspect(ctx, dir, tt.pkg, environ)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Inspect(%q) error = %v, want %q", tt.pkg, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Name != "main" || got.ImportPath != tt.importPath || got.Module.Path != "example.com/x" {
				t.Errorf("Inspect(%q) = %+v, want main package %s in module example.com/x", tt.pkg, got, tt.importPath)
			}
			if got.Dir == "" || got.Module.Dir == "" {
				t.Errorf("Inspect(%q) = %+v, want directories filled in", tt.pkg, got)
			}
		})
	}
}

func TestInspectOutsideModule(t *testing.T) {
	dir := t.TempDir()
	_, err := Inspect(context.Background(), dir, "./app", testEnviron(dir))
	if err == nil || !strings.HasPrefix(err.Error(), "inspecting ./app: go: go.mod file not found") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("Inspect outside a module: error = %v, want one line about go.mod", err)
	}
}
