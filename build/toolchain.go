package build

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

// Toolchain is the go command a run builds with, as `go env` describes it
// in the module directory under the caller's environment, GOENV file
// included. It is asked once per run.
type Toolchain struct {
	// Go is the absolute path of the go command on the environment's PATH.
	Go string
	// Env is every setting go env reports, e.g. GOROOT, GOVERSION, GOFLAGS,
	// GOWORK, GOMOD, GOENV, GOTOOLDIR.
	Env map[string]string
}

// LoadToolchain runs `go env -json` in dir with environ.
func LoadToolchain(ctx context.Context, dir string, environ []string) (Toolchain, error) {
	goPath, err := lookPath("go", environ)
	if err != nil {
		return Toolchain{}, fmt.Errorf("finding the go command: %w", err)
	}
	cmd := exec.CommandContext(ctx, goPath, "env", "-json")
	cmd.Dir, cmd.Env = dir, environ
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Toolchain{}, fmt.Errorf("running go env: %w: %s", err, oneLine(stderr.String()))
	}
	tc := Toolchain{Go: goPath}
	if err := json.Unmarshal(out, &tc.Env); err != nil {
		return Toolchain{}, fmt.Errorf("running go env: %w", err)
	}
	if tc.Env["GOROOT"] == "" || tc.Env["GOVERSION"] == "" {
		return Toolchain{}, fmt.Errorf("running go env: no GOROOT or GOVERSION in its output")
	}
	return tc, nil
}

// Version is the toolchain's version, e.g. go1.26.8.
func (tc Toolchain) Version() string { return tc.Env["GOVERSION"] }

// Zoneinfo reads GOROOT/lib/time/zoneinfo.zip, the tzdata the toolchain
// itself embeds with the time/tzdata package.
func (tc Toolchain) Zoneinfo() ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(tc.Env["GOROOT"], "lib", "time", "zoneinfo.zip"))
	if err != nil {
		return nil, fmt.Errorf("reading tzdata from the Go toolchain: %w", err)
	}
	return data, nil
}

// volatile settings differ between identical invocations (GOGCCFLAGS names
// a fresh temporary directory) or only say where telemetry goes.
var volatile = []string{"GOGCCFLAGS", "GOTELEMETRY", "GOTELEMETRYDIR"}

// Fingerprint hashes every setting that can change what the go command
// produces: the GOENV file's GOAMD64 or GOFLAGS, the go.work in use, the
// toolchain version, and the rest go env reports.
func (tc Toolchain) Fingerprint() string {
	keys := make([]string, 0, len(tc.Env))
	for k := range tc.Env {
		if !slices.Contains(volatile, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	parts := []string{tc.Go}
	for _, k := range keys {
		parts = append(parts, k+"="+tc.Env[k])
	}
	return cache.Key(parts...)
}

// Programs are the files whose replacement changes the toolchain even at the
// same version and path: the go command, the compiler and the linker.
func (tc Toolchain) Programs() []string {
	tool := tc.Env["GOTOOLDIR"]
	return []string{tc.Go, filepath.Join(tool, "compile"), filepath.Join(tool, "link"), filepath.Join(tool, "asm")}
}

// OpaqueInputs reports whether flags make the go command read inputs that
// `go list` does not name (an overlay, a profile or go.mod given by path,
// shared libraries) or run another program; such builds always ask the
// toolchain rather than trust a snapshot of the sources.
func OpaqueInputs(flags []string) bool {
	for _, f := range flags {
		name, value, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
		switch name {
		case "pgo":
			if value != "auto" && value != "off" {
				return true
			}
		case "overlay", "modfile", "toolexec", "exec", "buildmode", "linkshared", "pkgdir", "compiler", "gccgoflags":
			return true
		}
	}
	return false
}
