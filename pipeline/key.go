package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hoist-build/hoist/cache"
)

// layerFormat changes whenever hoist changes how it writes the binary layer,
// so old cache entries stop matching.
const layerFormat = "hoist-binary-layer-4" // 4: gzip level 2 (issue 11)

// toolchain is what the go command reports once per run.
type toolchain struct {
	goroot, version string
}

func goEnv(ctx context.Context, dir string, environ []string) (toolchain, error) {
	cmd := exec.CommandContext(ctx, "go", "env", "GOROOT", "GOVERSION")
	cmd.Dir, cmd.Env = dir, environ
	out, err := cmd.Output()
	if err != nil {
		return toolchain{}, fmt.Errorf("running go env: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 2 {
		return toolchain{}, fmt.Errorf("running go env: unexpected output %q", out)
	}
	return toolchain{goroot: lines[0], version: lines[1]}, nil
}

// invocationKey hashes what decides the binary besides the source files:
// the go invocation (expanded flags, ldflags, platform and build env), the
// Go version, the git state the go command stamps into the binary, and
// hoist's own layer settings.
func invocationKey(opts Options, t *target, tc toolchain, env, args []string) string {
	parts := []string{layerFormat, tc.version, string(opts.Compression), opts.Created.UTC().String(), t.name,
		t.data.Git.FullCommit, fmt.Sprint(t.data.Git.IsDirty)}
	parts = append(parts, withoutOutput(args)...)
	parts = append(parts, buildEnv(env)...)
	return cache.Key(parts...)
}

// binaryKey adds the sources to the invocation key: every file of the main
// module's (and replaced modules') packages by content, the other modules
// by version (immutable in the module cache). It also returns the stamps of
// those files and their directories, for the snapshot.
func binaryKey(ctx context.Context, opts Options, invocation string, env, args []string) (string, map[string]stamp, error) {
	deps, err := listDeps(ctx, opts.Dir, env, args)
	if err != nil {
		return "", nil, err
	}
	stamps := map[string]stamp{}
	parts := []string{invocation}
	for _, d := range deps {
		ps, err := d.keyParts(stamps)
		if err != nil {
			return "", nil, err
		}
		parts = append(parts, ps...)
	}
	return cache.Key(parts...), stamps, nil
}

// withoutOutput drops "-o PATH": the temporary output path differs per run.
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
	skip := []string{"GOCACHE", "GOMODCACHE", "GOPATH", "GOTMPDIR", "GOENV", "GOROOT", "GOPROXY", "GONOPROXY",
		"GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOINSECURE", "GOTELEMETRY", "GOTELEMETRYDIR", "GOAUTH"}
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if (strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") || k == "CC" || k == "CXX") && !slices.Contains(skip, k) {
			out = append(out, kv)
		}
	}
	slices.Sort(out)
	return out
}

type dep struct {
	ImportPath string
	Dir        string
	Module     *struct {
		Path, Version, GoMod string
		Main                 bool
		Replace              *struct{ Path, Version string }
	}
	GoFiles, CgoFiles, CFiles, CXXFiles, HFiles, SFiles, SysoFiles, EmbedFiles []string
}

// listDeps asks go list, with the same flags and environment as the build,
// for the non-standard packages the binary is made of and their files.
func listDeps(ctx context.Context, dir string, env, args []string) ([]dep, error) {
	flags := withoutOutput(args[1:])
	pkg := flags[len(flags)-1]
	flags = flags[:len(flags)-2] // "--", package
	largs := append([]string{"list", "-deps", "-e", "-json=ImportPath,Dir,Standard,Module,GoFiles,CgoFiles,CFiles,CXXFiles,HFiles,SFiles,SysoFiles,EmbedFiles"}, flags...)
	largs = append(largs, "--", pkg)
	cmd := exec.CommandContext(ctx, "go", largs...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("listing the files of %s: %w: %s", pkg, err, strings.TrimSpace(stderr.String()))
	}
	var deps []dep
	for dec := json.NewDecoder(&stdout); dec.More(); {
		var d struct {
			dep
			Standard bool
		}
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("listing the files of %s: %w", pkg, err)
		}
		if !d.Standard {
			deps = append(deps, d.dep)
		}
	}
	return deps, nil
}

// keyParts identifies a package: by module version when it comes unmodified
// from the module cache, else by the contents of its files (and its go.mod).
func (d dep) keyParts(stamps map[string]stamp) ([]string, error) {
	if m := d.Module; m != nil && m.Version != "" && m.Replace == nil && !m.Main {
		return []string{d.ImportPath, m.Path + "@" + m.Version}, nil
	}
	files := slices.Concat(d.GoFiles, d.CgoFiles, d.CFiles, d.CXXFiles, d.HFiles, d.SFiles, d.SysoFiles, d.EmbedFiles)
	slices.Sort(files)
	parts := []string{d.ImportPath}
	// The directory's stamp changes when a file is added or removed.
	if st, ok := stampOf(d.Dir); ok {
		stamps[d.Dir] = st
	}
	if d.Module != nil && d.Module.GoMod != "" {
		files = append(files, d.Module.GoMod, strings.TrimSuffix(d.Module.GoMod, ".mod")+".sum")
	}
	for _, f := range files {
		p := f
		if !filepath.IsAbs(p) {
			p = filepath.Join(d.Dir, f)
		}
		// Stamp before hashing: an edit in between changes the stamp, so
		// the snapshot can only be too cautious, never stale.
		if st, ok := stampOf(p); ok {
			stamps[p] = st
		}
		h, err := hashFile(p)
		if err != nil {
			return nil, fmt.Errorf("hashing %s: %w", p, err)
		}
		// An absolute go.mod path would tie the key to the checkout's place.
		name := f
		if filepath.IsAbs(f) {
			name = filepath.Base(f)
		}
		parts = append(parts, name, h)
	}
	return parts, nil
}

func hashFile(path string) (string, error) {
	h, err := cache.FileSHA256(path)
	if os.IsNotExist(err) && strings.HasSuffix(path, ".sum") {
		return "absent", nil // a module without dependencies has no go.sum
	}
	return h, err
}
