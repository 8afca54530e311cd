package dev

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

// listFormat prints, for every package in the import graph of the roots,
// its import path, directory, whether it is in the main module, and its
// dependencies.
const listFormat = `{{.ImportPath}}	{{.Dir}}	{{with .Module}}{{.Main}}{{end}}	{{join .Deps " "}}`

// FindSources runs one `go list -deps` in dir for all paths. Packages of
// other modules are left out: they change only through go.mod and go.sum.
func FindSources(ctx context.Context, dir string, environ, paths []string) (*Sources, error) {
	cmd := exec.CommandContext(ctx, "go", append([]string{"list", "-deps", "-f", listFormat}, paths...)...)
	cmd.Dir, cmd.Env = dir, environ
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing the sources of %s: %w: %s", strings.Join(paths, " "), err, strings.TrimSpace(stderr.String()))
	}
	type pkg struct {
		dir  string
		main bool
		deps []string
	}
	pkgs := map[string]pkg{}
	for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			continue
		}
		pkgs[f[0]] = pkg{dir: f[1], main: f[2] == "true", deps: strings.Fields(f[3])}
	}
	s := &Sources{Dirs: map[string][]string{}, KoData: map[string]string{}}
	for _, p := range paths {
		root, ok := pkgs[p]
		if !ok {
			return nil, fmt.Errorf("listing the sources of %s: go list did not report it", p)
		}
		dirs := []string{root.dir}
		for _, d := range root.deps {
			if dep := pkgs[d]; dep.main && dep.dir != "" {
				dirs = append(dirs, dep.dir)
			}
		}
		s.Dirs[p] = dirs
		if fi, err := os.Stat(filepath.Join(root.dir, "kodata")); err == nil && fi.IsDir() {
			s.KoData[p] = filepath.Join(root.dir, "kodata")
		}
	}
	s.ModFiles, err = modFiles(ctx, dir, environ)
	return s, err
}

// modFiles are the main module's go.mod and go.sum (and go.work, when a
// workspace is in use).
func modFiles(ctx context.Context, dir string, environ []string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOMOD", "GOWORK")
	cmd.Dir, cmd.Env = dir, environ
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("finding go.mod: %w", err)
	}
	var files []string
	for _, f := range strings.Fields(string(out)) {
		if f == os.DevNull || f == "off" {
			continue
		}
		files = append(files, f)
		if strings.HasSuffix(f, "go.mod") {
			files = append(files, strings.TrimSuffix(f, "go.mod")+"go.sum")
		}
	}
	return files, nil
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
