package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
)

// layerFormat changes whenever hoist changes how it writes or caches the
// binary layer, so old cache entries stop matching.
const layerFormat = "hoist-binary-layer-6"

// invocation is what a go build command line decides besides the sources:
// its arguments without the output path, and the environment variables the
// go command reads. The toolchain and its GOENV file are in the snapshot's
// name; the VCS state the binary is stamped with is added per target.
func invocation(env, args []string) []string {
	return slices.Concat(withoutOutput(args), buildEnv(env))
}

// withoutOutput drops "-o PATH": the output path says where, not what.
func withoutOutput(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		if args[i] == "-o" {
			i++
			continue
		}
		out = append(out, args[i])
	}
	return out
}

// buildEnv keeps the variables that change what the go command produces and
// drops the ones that only say where things are kept.
func buildEnv(env []string) []string {
	skip := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOTMPDIR", "GOROOT", "GOPROXY", "GONOPROXY",
		"GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOINSECURE", "GOTELEMETRY", "GOTELEMETRYDIR", "GOAUTH"}
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if (strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") || k == "CC" || k == "CXX" || k == "PATH") && !slices.Contains(skip, k) {
			out = append(out, kv)
		}
	}
	slices.Sort(out)
	return out
}

// snapshotAllowed says whether a snapshot of the sources can stand for this
// invocation at all. cgo builds read C headers and libraries, and some
// flags name files go list does not report: those always ask the toolchain.
func snapshotAllowed(tc build.Toolchain, env, args []string) bool {
	if v, _ := lookupEnv(env, "CGO_ENABLED"); v != "0" {
		return false
	}
	flags := slices.Concat(args, strings.Fields(goflags(tc, env)))
	return !build.OpaqueInputs(flags)
}

// goflags is the GOFLAGS the build runs with: the build environment's, else
// the toolchain's (which includes the GOENV file).
func goflags(tc build.Toolchain, env []string) string {
	if v, ok := lookupEnv(env, "GOFLAGS"); ok {
		return v
	}
	return tc.Env["GOFLAGS"]
}

func lookupEnv(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// listDeps asks go list, with the same flags and environment as the build,
// for the packages the binary is made of, the standard library left out.
func listDeps(ctx context.Context, tc build.Toolchain, dir string, env, args []string) ([]build.Dep, error) {
	flags := withoutOutput(args[1:])
	pkg := flags[len(flags)-1]
	all, err := tc.Deps(ctx, dir, env, flags[:len(flags)-2], pkg) // without "--", package
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(d build.Dep) bool { return d.Standard }), nil
}

// inputPaths lists every file and directory whose change can change the
// binary without changing the invocation: each local package's directory and
// every file in it (ignored files too: a build-constraint edit activates
// them; default.pgo), the directories leading to embedded files, the go.mod,
// go.sum, go.work and vendor manifest in use, the GOENV file and the
// toolchain's programs. Packages in the module cache are immutable and
// pinned by go.mod and go.sum, so they are skipped.
func inputPaths(tc build.Toolchain, deps []build.Dep) []string {
	modcache := tc.Env["GOMODCACHE"]
	paths := slices.Concat(tc.Programs(), []string{tc.Env["GOENV"]})
	if w := tc.Env["GOWORK"]; w != "" && w != "off" {
		paths = append(paths, w, w+".sum")
	}
	mods := map[string]bool{}
	for _, d := range deps {
		if d.Dir == "" || (modcache != "" && strings.HasPrefix(d.Dir, modcache+string(filepath.Separator))) {
			continue
		}
		paths = append(paths, packageFiles(d.Dir)...)
		for _, f := range d.EmbedFiles {
			for sub := filepath.Dir(filepath.Join(d.Dir, f)); sub != d.Dir && strings.HasPrefix(sub, d.Dir); sub = filepath.Dir(sub) {
				paths = append(paths, sub)
			}
			paths = append(paths, filepath.Join(d.Dir, f))
		}
		if m := d.Module; m != nil && m.GoMod != "" && !mods[m.GoMod] {
			mods[m.GoMod] = true
			root := filepath.Dir(m.GoMod)
			paths = append(paths, root, m.GoMod, filepath.Join(root, "go.sum"), filepath.Join(root, "vendor", "modules.txt"))
		}
	}
	slices.Sort(paths)
	return slices.Compact(paths)
}

// packageFiles is a package directory and the regular files in it.
func packageFiles(dir string) []string {
	out := []string{dir}
	des, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	for _, de := range des {
		if !de.IsDir() {
			out = append(out, filepath.Join(dir, de.Name()))
		}
	}
	return out
}

// keyOf is the snapshot's name for a package argument: the directory, the
// toolchain as go env describes it, and the environment.
func keyOf(tc build.Toolchain, opts Options, arg string) string {
	parts := append([]string{snapshotFormat, opts.Dir, arg, tc.Fingerprint()}, buildEnv(opts.Environ)...)
	return cache.Key(parts...)
}
