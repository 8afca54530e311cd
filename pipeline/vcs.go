package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
)

// vcsState is a digest of what the go command stamps into a binary from
// version control (vcs.revision, vcs.time, vcs.modified, and the main
// module's version from tags): HEAD, the porcelain status and every tag.
// ok is false where hoist cannot tell, for a repository of another VCS.
// It is "" outside any repository.
func vcsState(ctx context.Context, dir string, environ []string) (state string, ok bool) {
	root, kind := vcsRoot(dir)
	switch kind {
	case "":
		return "", true
	case ".git":
	default:
		return "", false
	}
	git, err := build.LookPath("git", environ)
	if err != nil {
		return "git-missing", true // go build fails the same way without git
	}
	queries := [][]string{
		{"rev-parse", "HEAD"},
		{"status", "--porcelain"},
		{"for-each-ref", "--format=%(objectname) %(refname)", "refs/tags"},
	}
	outs := make([]string, len(queries))
	var wg sync.WaitGroup
	for i, q := range queries {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, git, q...)
			cmd.Dir, cmd.Env = root, environ
			out, err := cmd.Output()
			outs[i] = string(out)
			if err != nil {
				outs[i] = "error: " + err.Error()
			}
		})
	}
	wg.Wait()
	return cache.Key(append([]string{root}, outs...)...), true
}

// vcsRoot finds the nearest directory at or above dir holding a version
// control directory, as the go command looks for one.
func vcsRoot(dir string) (root, kind string) {
	for d := dir; ; d = filepath.Dir(d) {
		for _, k := range []string{".git", ".hg", ".svn", ".bzr", ".fossil", "_FOSSIL_"} {
			if _, err := os.Stat(filepath.Join(d, k)); err == nil {
				return d, k
			}
		}
		if filepath.Dir(d) == d {
			return "", ""
		}
	}
}

// stampsVCS reports whether the build stamps VCS information: unless
// -buildvcs=false is among its flags or GOFLAGS.
func stampsVCS(tc build.Toolchain, env, args []string) bool {
	flags := slices.Concat(args, strings.Fields(goflags(tc, env)))
	on := true
	for _, f := range flags {
		if v, ok := strings.CutPrefix(strings.TrimLeft(f, "-"), "buildvcs"); ok {
			on = v == "" || v == "=true" || v == "=auto"
		}
	}
	return on
}
