package build

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Dep is one package of a binary's import graph, as go list -deps reports
// it.
type Dep struct {
	ImportPath string
	Dir        string
	Standard   bool
	Module     *struct {
		Path, Dir, GoMod string
		Main             bool
	}
	EmbedFiles []string
	Deps       []string
}

// Deps runs `go list -deps -e` in dir with env and the build's flags for
// pkgs: every package their binaries are made of, dependencies first. The
// watch loop and the snapshot both ask it, so both see the files go build
// would read, under the same toolchain.
func (tc Toolchain) Deps(ctx context.Context, dir string, env, flags []string, pkgs ...string) ([]Dep, error) {
	args := append([]string{"list", "-deps", "-e", "-json=ImportPath,Dir,Standard,Module,EmbedFiles,Deps"}, flags...)
	args = append(append(args, "--"), pkgs...)
	cmd := exec.CommandContext(ctx, tc.Go, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("listing the packages of %s: %w: %s", strings.Join(pkgs, " "), err, oneLine(stderr.String()))
	}
	deps, err := decodeList[Dep](&stdout)
	if err != nil {
		return nil, fmt.Errorf("listing the packages of %s: %w", strings.Join(pkgs, " "), err)
	}
	return deps, nil
}
