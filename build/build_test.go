package build

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// commandCase is one go build invocation command must assemble, or refuse
// (wantErr).
type commandCase struct {
	name     string
	opts     Options
	platform v1.Platform
	wantEnv  []string // entries that must be present
	noEnv    []string // keys that must be absent
	wantArgs []string
	wantErr  string
	// goCache gives the go command a GOCACHE of its own, for cases that
	// run go env.
	goCache bool
}

// commandEnviron is the caller's environment of every commandCase, before
// the case's own Environ.
var commandEnviron = []string{"PATH=/bin", "GOFLAGS=-mod=mod", "GOOS=windows", "GOARM=5", "GOAMD64=v4", "V=1.0"}

var commandCases = []commandCase{
	{
		name:     "defaults",
		opts:     Options{Package: "./app", Output: "/out/app"},
		wantEnv:  []string{"PATH=/bin", "GOFLAGS=-mod=mod", "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64", "GOAMD64=v1"},
		noEnv:    []string{"GOARM"},
		wantArgs: []string{"build", "-trimpath", "-o", "/out/app", "--", "./app"},
	},
	{
		name:     "arm variant and templates",
		opts:     Options{Package: ".", Output: "o", Env: []string{"CGO_ENABLED=1", "X={{.Env.V}}"}, Flags: []string{"-tags=netgo", "-v"}, Ldflags: []string{"-s", "-X main.v={{.Env.V}}"}},
		platform: v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"},
		wantEnv:  []string{"CGO_ENABLED=1", "X={{.Env.V}}", "GOOS=linux", "GOARCH=arm", "GOARM=7"},
		noEnv:    []string{"GOAMD64"},
		wantArgs: []string{"build", "-tags=netgo", "-v", "-trimpath", "-ldflags=-s -X main.v=1.0", "-o", "o", "--", "."},
	},
	{
		// ko's template data: LDFLAGS preset, the build's own env and
		// the platform's variables, .GoEnv overridden by them.
		name:     "template data as ko's",
		opts:     Options{Package: ".", Output: "o", Environ: []string{"PATH=" + os.Getenv("PATH"), "GOENV=off"}, Env: []string{"FROM_CONFIG=c"}, Ldflags: []string{"{{.Env.LDFLAGS}}|{{.Env.FROM_CONFIG}}|{{.Env.GOARCH}}|{{.Env.CGO_ENABLED}}|{{.GoEnv.GOOS}}|{{.GoEnv.GOARCH}}"}},
		platform: v1.Platform{OS: "linux", Architecture: "arm64"},
		wantArgs: []string{"build", "-trimpath", "-ldflags=|c|arm64|0|linux|arm64", "-o", "o", "--", "."},
		goCache:  true,
	},
	{name: "cgo from the caller's environment, as ko", opts: Options{Package: ".", Output: "o", Environ: []string{"CGO_ENABLED=1"}}, wantEnv: []string{"CGO_ENABLED=1"}},
	{name: "config picks GOARM when the platform does not", opts: Options{Package: ".", Output: "o", Env: []string{"GOARM=6"}},
		platform: v1.Platform{OS: "linux", Architecture: "arm"}, wantEnv: []string{"GOARM=6", "GOARCH=arm"}},
	{name: "toolexec in flags", opts: Options{Flags: []string{"-toolexec", "/bin/sh"}}, wantErr: "flags: -toolexec runs an arbitrary program"},
	{name: "toolexec= in flags", opts: Options{Flags: []string{"--toolexec=x"}}, wantErr: "flags: --toolexec=x runs"},
	{name: "toolexec in GOFLAGS from the config", opts: Options{Env: []string{"GOFLAGS=-mod=mod -toolexec=x"}}, wantErr: "GOFLAGS: -toolexec=x runs"},
	{name: "toolexec in GOFLAGS from the caller", opts: Options{Environ: []string{"GOFLAGS=-toolexec=x"}}, wantErr: "GOFLAGS: -toolexec=x runs"},
	{name: "config cannot change GOOS", opts: Options{Env: []string{"GOOS=darwin"}}, wantErr: `env entry "GOOS=darwin": the platform sets GOOS, not env`},
	{name: "env without equals", opts: Options{Env: []string{"CGO_ENABLED"}}, wantErr: `env entry "CGO_ENABLED": want KEY=value`},
	{name: "bad flag template", opts: Options{Flags: []string{"-tags={{.Nope}}"}}, wantErr: `expanding flags "-tags={{.Nope}}": template: flags:1:`},
	{name: "unsupported platform", platform: v1.Platform{OS: "linux", Architecture: "sparc"}, wantErr: `unsupported platform "linux/sparc"`},
}

func TestCommand(t *testing.T) {
	for _, tt := range commandCases {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts.Package == "" {
				opts.Package, opts.Output = ".", "o"
			}
			opts.Dir = t.TempDir()
			opts.Environ = append(slices.Clone(commandEnviron), opts.Environ...)
			if tt.goCache {
				opts.Environ = append(opts.Environ, "GOCACHE="+t.TempDir())
			}
			env, args, err := command(context.Background(), opts, normalizePlatform(tt.platform))
			if hoisttest.WantError(t, err, tt.wantErr) {
				return
			}
			checkCommand(t, tt, env, args)
		})
	}
}

func checkCommand(t *testing.T, tt commandCase, env, args []string) {
	t.Helper()
	for _, kv := range tt.wantEnv {
		if !slices.Contains(env, kv) {
			t.Errorf("env %q lacks %q", env, kv)
		}
	}
	for _, k := range tt.noEnv {
		if _, ok := envLookup(env, k); ok {
			t.Errorf("env %q has %s, want it cleared", env, k)
		}
	}
	if tt.wantArgs != nil && !slices.Equal(args, tt.wantArgs) {
		t.Errorf("args = %q, want %q", args, tt.wantArgs)
	}
}

// TestBuild runs the go command for real, so it keeps to two successful
// cross builds and two compile failures, which stop at type checking.
func TestBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	good := writeModule(t, map[string]string{
		"app/main.go": "package main\n\nvar version = \"unset\"\n\nfunc main() { println(version) }\n",
	})
	bad := writeModule(t, map[string]string{
		"app/main.go": "package main\n\nfunc main() { undefinedThing() }\n",
	})
	tests := []buildCase{
		{name: "linux/amd64", dir: good, platform: v1.Platform{OS: "linux", Architecture: "amd64"}, machine: elf.EM_X86_64},
		{name: "linux/arm64", dir: good, platform: v1.Platform{OS: "linux", Architecture: "arm64"}, machine: elf.EM_AARCH64},
		{name: "compile error", dir: bad, platform: v1.Platform{OS: "linux", Architecture: "arm64"}, wantErr: "building ./app for linux/arm64: exit status 1"},
		{name: "compile error without stderr", dir: bad, nilErr: true, wantErr: "building ./app for linux/amd64: exit status 1: # example.com/x/app app/main.go:3:15: undefined: undefinedThing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stderr bytes.Buffer
			opts := Options{
				Dir:      tt.dir,
				Package:  "./app",
				Platform: tt.platform,
				Environ:  testEnviron(tt.dir),
				Ldflags:  []string{"-X main.version={{.Env.HOIST_TEST_VERSION}}-{{.Timestamp}}"},
				Output:   filepath.Join(t.TempDir(), "app"),
				Stderr:   &stderr,
				Time:     time.Unix(1700000000, 0),
			}
			if tt.nilErr {
				opts.Stderr = nil
			}
			checkBuild(t, tt, opts, Build(context.Background(), opts), stderr.String())
		})
	}
}

type buildCase struct {
	name     string
	dir      string
	platform v1.Platform
	machine  elf.Machine
	nilErr   bool // pass a nil Stderr
	wantErr  string
}

// checkBuild checks Build's error, or the binary it wrote.
func checkBuild(t *testing.T, tt buildCase, opts Options, err error, stderr string) {
	t.Helper()
	if tt.wantErr != "" {
		if err == nil || err.Error() != tt.wantErr {
			t.Fatalf("Build error = %v, want %q", err, tt.wantErr)
		}
		if !tt.nilErr && !strings.Contains(stderr, "undefined: undefinedThing") {
			t.Errorf("stderr = %q, want go's diagnostics", stderr)
		}
		return
	}
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, stderr)
	}
	f, err := elf.Open(opts.Output)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != tt.machine {
		t.Errorf("machine = %v, want %v", f.Machine, tt.machine)
	}
	bin, err := os.ReadFile(opts.Output)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(bin, []byte("v1.2.3-1700000000")) {
		t.Error("binary lacks the version set through templated -ldflags")
	}
	if bytes.Contains(bin, []byte(tt.dir)) {
		t.Error("binary contains the module directory; -trimpath was not applied")
	}
}

// TestCgoHint builds a package whose only file uses cgo: go's message says
// only that build constraints exclude every file, so hoist adds why.
func TestCgoHint(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"go.mod":  "module example.com/withcgo\n\ngo 1.26\n",
		"main.go": "package main\n\n// int answer(void) { return 42; }\nimport \"C\"\n\nfunc main() { println(C.answer()) }\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := Build(context.Background(), Options{Dir: dir, Package: ".", Environ: os.Environ(), Output: filepath.Join(dir, "out")})
	if err == nil || !strings.Contains(err.Error(), "build constraints exclude all Go files") || !strings.Contains(err.Error(), "set CGO_ENABLED=1") {
		t.Fatalf("err = %v, want go's message and the CGO_ENABLED hint", err)
	}
	err = Build(context.Background(), Options{Dir: dir, Package: "./nothing", Environ: os.Environ(), Output: filepath.Join(dir, "out")})
	if err == nil || strings.Contains(err.Error(), "CGO_ENABLED") {
		t.Errorf("err = %v, want no cgo hint for another failure", err)
	}
	for _, env := range [][]string{{"CGO_ENABLED=1"}, {"CGO_ENABLED=0", "CGO_ENABLED=1"}} {
		if h := cgoHint("build constraints exclude all Go files in /x", env); h != "" {
			t.Errorf("hint with %v = %q, want none: cgo was on", env, h)
		}
	}
}
