package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	koconfig "github.com/hoist-build/hoist/config"
)

// env is the bench's world: tools in work/bin, a scratch copy of the module
// in work/src (edited by the change scenarios, never the checkout), and a
// registry on loopback.
type env struct {
	root, work, bin, src string
	registry             string
	regCmd               *exec.Cmd
	edits                int
	commands             map[string]string // "tool package" → its last command line
}

type pkgSpec struct {
	name, path string
}

func (e *env) packages() []pkgSpec {
	return []pkgSpec{{"app", "./app"}, {"crane", "./bench/crane"}}
}

func setup(ctx context.Context, root, work, koVersion string) (*env, error) {
	e := &env{root: root, work: work, bin: filepath.Join(work, "bin"), src: filepath.Join(work, "src"), commands: map[string]string{}}
	if err := os.RemoveAll(e.src); err != nil {
		return nil, err
	}
	for _, d := range []string{e.bin, e.src} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	steps := []struct {
		what string
		do   func(context.Context) error
	}{
		{"building hoist and the registry", e.buildTools},
		{"installing ko " + koVersion, func(ctx context.Context) error { return e.installKo(ctx, koVersion) }},
		{"copying the module", e.copyModule},
		{"starting the registry", e.startRegistry},
		{"publishing the base for ko", e.publishBase},
	}
	for _, s := range steps {
		fmt.Fprintln(os.Stderr, "bench:", s.what)
		if err := s.do(ctx); err != nil {
			e.close()
			return nil, fmt.Errorf("%s: %w", s.what, err)
		}
	}
	return e, nil
}

// command runs a tool in the same controlled environment for every tool:
// no GOENV file or GOFLAGS of the machine, the local toolchain.
func (e *env) command(ctx context.Context, dir string, extraEnv []string, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	env := []string{"GOENV=off", "GOFLAGS=", "GOTOOLCHAIN=local"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(k, "HOIST_") && !strings.HasPrefix(k, "KO_") && k != "GOENV" && k != "GOFLAGS" {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, extraEnv...)
	return cmd
}

// writes reads how many changing requests the registry has served.
func (e *env) writes(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+e.registry+"/_bench/writes", nil)
	if err != nil {
		return 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(body)))
}

// goFlags are the flags and ldflags .ko.yaml gives the package, so the plain
// go build baseline compiles exactly what hoist and ko compile.
func (e *env) goFlags(pkg pkgSpec) ([]string, error) {
	ko, err := koconfig.LoadKo(filepath.Join(e.src, ".ko.yaml"))
	if err != nil || ko == nil {
		return nil, err
	}
	flags, ldflags := ko.DefaultFlags, ko.DefaultLdflags
	for _, b := range ko.Builds {
		if filepath.Join(e.src, b.Dir, b.Main) != filepath.Join(e.src, pkg.path) {
			continue
		}
		if len(b.Flags) > 0 {
			flags = b.Flags
		}
		if len(b.Ldflags) > 0 {
			ldflags = b.Ldflags
		}
	}
	out := []string{"-trimpath"}
	if len(ldflags) > 0 {
		out = append(out, "-ldflags="+strings.Join(ldflags, " "))
	}
	for _, f := range flags {
		if f != "-trimpath" {
			out = append(out, f)
		}
	}
	return out, nil
}

func (e *env) runQuiet(ctx context.Context, dir string, extraEnv []string, name string, args ...string) (string, error) {
	out, err := e.command(ctx, dir, extraEnv, name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

func (e *env) buildTools(ctx context.Context) error {
	for _, t := range []struct{ out, pkg string }{{"hoist", "./cmd/hoist"}, {"registry", "./bench/registry"}} {
		if _, err := e.runQuiet(ctx, e.root, nil, "go", "build", "-o", filepath.Join(e.bin, t.out), t.pkg); err != nil {
			return err
		}
	}
	return nil
}

func (e *env) installKo(ctx context.Context, version string) error {
	if _, err := os.Stat(filepath.Join(e.bin, "ko")); err == nil {
		return nil
	}
	_, err := e.runQuiet(ctx, e.root, []string{"GOBIN=" + e.bin}, "go", "install", "github.com/google/ko@"+version)
	return err
}

// copyModule copies what the benchmarked packages need, and generates the
// 50 MiB-binary package: 48 MiB of incompressible embedded data.
func (e *env) copyModule(ctx context.Context) error {
	for _, f := range []string{"go.mod", "go.sum", ".ko.yaml", "app", "bench/crane"} {
		if _, err := e.runQuiet(ctx, e.root, nil, "cp", "-r", "--parents", f, e.src); err != nil {
			return err
		}
	}
	big := filepath.Join(e.src, "bench", "big")
	if err := os.MkdirAll(big, 0o755); err != nil {
		return err
	}
	data := make([]byte, 48<<20)
	rand.NewChaCha8([32]byte{'h', 'o', 'i', 's', 't'}).Read(data)
	if err := os.WriteFile(filepath.Join(big, "blob.bin"), data, 0o644); err != nil {
		return err
	}
	main := "package main\n\nimport _ \"embed\"\n\n//go:embed blob.bin\nvar blob []byte\n\nfunc main() { println(len(blob)) }\n"
	return os.WriteFile(filepath.Join(big, "main.go"), []byte(main), 0o644)
}

func (e *env) startRegistry(ctx context.Context) error {
	storage := filepath.Join(e.work, "registry")
	os.RemoveAll(storage)
	e.regCmd = exec.Command(filepath.Join(e.bin, "registry"), "--root", storage)
	stdout, err := e.regCmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := e.regCmd.Start(); err != nil {
		return err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		return fmt.Errorf("reading the registry address: %w", err)
	}
	e.registry = strings.TrimSpace(line)
	return nil
}

// publishBase gives ko hoist's synthesized base, the only base reachable
// here, so both tools start from the same files.
func (e *env) publishBase(ctx context.Context) error {
	_, err := e.runQuiet(ctx, e.src, nil, filepath.Join(e.bin, "hoist"), "base", "--bare", "--repo", e.registry+"/base", "--platform", "linux/amd64,linux/arm64")
	return err
}

func (e *env) close() {
	if e.regCmd != nil && e.regCmd.Process != nil {
		e.regCmd.Process.Kill()
		e.regCmd.Wait()
	}
}

// edit makes a one-line change that reaches the binary (an init with a side
// effect cannot be dropped by the linker), so every tool must rebuild.
func (e *env) edit(pkg pkgSpec) error {
	e.edits++
	src := fmt.Sprintf("package main\n\nimport \"os\"\n\nfunc init() { os.Setenv(\"HOIST_BENCH_EDIT\", %q) }\n", fmt.Sprint(e.edits, time.Now().UnixNano()))
	return os.WriteFile(filepath.Join(e.src, pkg.path, "bench_edit.go"), []byte(src), 0o644)
}

func describeMachine(ctx context.Context) string {
	var parts []string
	for _, c := range [][]string{{"go", "version"}, {"uname", "-sr"}, {"nproc"}} {
		out, _ := exec.CommandContext(ctx, c[0], c[1:]...).Output()
		parts = append(parts, strings.TrimSpace(string(out)))
	}
	parts[2] += " cores"
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		parts = append(parts, strings.Join(strings.Fields(strings.SplitN(string(data), "\n", 2)[0]), " "))
	}
	if data, err := os.ReadFile("/etc/os-release"); err == nil {
		for _, l := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				parts = append(parts, strings.Trim(v, `"`))
			}
		}
	}
	return strings.Join(parts, "; ")
}
