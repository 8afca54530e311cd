package dev

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hoist-build/hoist/build"
)

// Sources are what a set of images is built from.
type Sources struct {
	// Dirs maps each import path to the directories of the main-module
	// packages it is built from, its own first.
	Dirs map[string][]string
	// KoData maps an import path to its kodata directory, when it has one;
	// every file under it is copied into the image.
	KoData map[string]string
	// ModFiles are go.mod, go.sum and go.work, whose change may change any
	// image.
	ModFiles []string
}

// FindSources asks the toolchain for the import graph of paths, in dir,
// with environ: the same go, go.work and GOFLAGS the builds use. Packages
// of other modules are left out: they change only through go.mod and
// go.sum.
func FindSources(ctx context.Context, tc build.Toolchain, dir string, environ, paths []string) (*Sources, error) {
	deps, err := tc.Deps(ctx, dir, environ, nil, paths...)
	if err != nil {
		return nil, err
	}
	pkgs := map[string]build.Dep{}
	for _, d := range deps {
		pkgs[d.ImportPath] = d
	}
	s := &Sources{Dirs: map[string][]string{}, KoData: map[string]string{}, ModFiles: modFiles(tc)}
	for _, p := range paths {
		root, ok := pkgs[p]
		if !ok {
			return nil, fmt.Errorf("listing the sources of %s: go list did not report it", p)
		}
		dirs := []string{root.Dir}
		for _, d := range root.Deps {
			if dep := pkgs[d]; dep.Module != nil && dep.Module.Main && dep.Dir != "" {
				dirs = append(dirs, dep.Dir)
			}
		}
		s.Dirs[p] = dirs
		if fi, err := os.Stat(filepath.Join(root.Dir, "kodata")); err == nil && fi.IsDir() {
			s.KoData[p] = filepath.Join(root.Dir, "kodata")
		}
	}
	return s, nil
}

// modFiles are the main module's go.mod and go.sum (and go.work, when a
// workspace is in use), as go env reported them.
func modFiles(tc build.Toolchain) []string {
	var files []string
	for _, f := range []string{tc.Env["GOMOD"], tc.Env["GOWORK"]} {
		if f == "" || f == os.DevNull || f == "off" {
			continue
		}
		files = append(files, f)
		if strings.HasSuffix(f, "go.mod") {
			files = append(files, strings.TrimSuffix(f, "go.mod")+"go.sum")
		}
	}
	return files
}

// Affected returns the import paths whose image a change to files may
// change, in the order of paths.
func (s *Sources) Affected(paths, files []string) []string {
	var out []string
	for _, p := range paths {
		if s.affects(p, files) {
			out = append(out, p)
		}
	}
	return out
}

func (s *Sources) affects(p string, files []string) bool {
	for _, f := range files {
		for _, m := range s.ModFiles {
			if f == m {
				return true
			}
		}
		if kd := s.KoData[p]; kd != "" && strings.HasPrefix(f, kd+string(filepath.Separator)) {
			return true
		}
		if !isSource(f) {
			continue
		}
		for _, d := range s.Dirs[p] {
			if filepath.Dir(f) == d {
				return true
			}
		}
	}
	return false
}

// isSource tells whether a file in a package directory can change the
// binary: not a test, not an editor's temporary file. Files go build reads
// besides .go (assembly, cgo, embedded files) count, so anything else does.
func isSource(f string) bool {
	base := filepath.Base(f)
	switch {
	case strings.HasSuffix(base, "_test.go"),
		strings.HasPrefix(base, "."), strings.HasPrefix(base, "#"),
		strings.HasSuffix(base, "~"), strings.HasSuffix(base, ".swp"), base == "4913":
		return false
	}
	return true
}

// WatchList is every directory and file to watch for these sources.
func (s *Sources) WatchList() (dirs []string) {
	seen := map[string]bool{}
	add := func(d string) {
		if !seen[d] {
			seen[d] = true
			dirs = append(dirs, d)
		}
	}
	for _, ds := range s.Dirs {
		for _, d := range ds {
			add(d)
		}
	}
	for _, kd := range s.KoData {
		filepath.WalkDir(kd, func(p string, e os.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				add(p)
			}
			return nil
		})
	}
	for _, f := range s.ModFiles {
		add(filepath.Dir(f))
	}
	return dirs
}
