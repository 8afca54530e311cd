package build

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
)

// Package is the part of `go list` output hoist needs to name and place an
// image.
type Package struct {
	ImportPath string
	Dir        string
	Name       string
	Module     struct {
		Path string
		Dir  string
	}
}

// listed is Package plus the error field go list -e fills in.
type listed struct {
	Package
	Error *struct{ Err string }
}

// Inspect resolves pkg in dir with `go list` and checks that it is a main
// package, so that a library path fails with a sentence instead of go
// build's silence or an archive where a binary was expected.
func Inspect(ctx context.Context, dir, pkg string, environ []string) (Package, error) {
	goPath, err := lookPath("go", environ)
	if err != nil {
		return Package{}, fmt.Errorf("inspecting %s: %w", pkg, err)
	}
	// -e turns per-package problems into the Error field, which is easier
	// to reword than go's stderr; errors about the module itself still
	// arrive on stderr with a failing exit status.
	// Naming the fields lets go list skip computing staleness, which costs
	// it a toolchain probe and half the run time.
	cmd := exec.CommandContext(ctx, goPath, "list", "-e", "-json=ImportPath,Dir,Name,Module,Error", "--", pkg)
	cmd.Dir = dir
	cmd.Env = environ
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := oneLine(stderr.String()); msg != "" {
			return Package{}, fmt.Errorf("inspecting %s: %s", pkg, msg)
		}
		return Package{}, fmt.Errorf("inspecting %s: %w", pkg, err)
	}
	pkgs, err := decodeList[listed](&stdout)
	if err != nil {
		return Package{}, fmt.Errorf("inspecting %s: %w", pkg, err)
	}
	if len(pkgs) != 1 {
		return Package{}, fmt.Errorf("inspecting %s: matches %d packages, want exactly one", pkg, len(pkgs))
	}
	p := pkgs[0]
	switch {
	case p.Name == "" && p.Error != nil:
		return Package{}, fmt.Errorf("inspecting %s: %s%s", pkg, oneLine(p.Error.Err), cgoHint(p.Error.Err, environ))
	case p.Name == "":
		return Package{}, fmt.Errorf("inspecting %s: go list reported no package name", pkg)
	case p.Name != "main":
		return Package{}, fmt.Errorf("%s is package %q, not a main package: hoist builds commands (package main)", pkg, p.Name)
	}
	// A main package with compile errors is left for Build, where go prints
	// the full diagnostics rather than the first one.
	return p.Package, nil
}

// decodeList reads the concatenated JSON objects go list -json prints.
func decodeList[T any](r io.Reader) ([]T, error) {
	dec := json.NewDecoder(r)
	var pkgs []T
	for {
		var p T
		err := dec.Decode(&p)
		if errors.Is(err, io.EOF) {
			return pkgs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decoding go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}
