package hoisttest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// buildHoist builds the hoist command of the checkout at root into out.
func buildHoist(root, out string) error {
	cmd := exec.Command("go", "build", "-o", out, "./cmd/hoist")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building hoist: %v\n%s", err, b)
	}
	return nil
}

// binDir holds the hoist command Binary builds; Main creates and removes it.
var binDir string

var builtBinary = sync.OnceValues(func() (string, error) {
	root, err := findRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(binDir, "hoist")
	return bin, buildHoist(root, bin)
})

// Main is the TestMain of a package whose tests run the hoist command: it
// runs them and then removes the command Binary built for them.
func Main(m *testing.M) {
	dir, err := os.MkdirTemp("", "hoist-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Binary is the hoist command of this checkout, built once per test
// process, since building it is the slow part of every test of the CLI.
// The package's TestMain must be Main, which removes it afterwards.
func Binary(t testing.TB) string {
	t.Helper()
	if binDir == "" {
		t.Fatal("hoisttest.Binary needs hoisttest.Main as the package's TestMain")
	}
	bin, err := builtBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// Root is the module root of this checkout: tests build its sample app and
// run its tasks whatever package directory they run in.
func Root(t testing.TB) string {
	t.Helper()
	root, err := findRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("finding the module root: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding the module root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Result is one finished run of a command.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Lines are the lines of stdout: hoist prints one reference a line.
func (r Result) Lines() []string {
	if r.Stdout == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
}

// LastLine is the final line of stderr: a failed hoist's error.
func (r Result) LastLine() string {
	lines := strings.Split(strings.TrimRight(r.Stderr, "\n"), "\n")
	return lines[len(lines)-1]
}

// Run runs bin with args in dir with exactly env (nil: this process's) and
// returns what it printed. A command that cannot start fails the test; its
// exit code is the caller's to judge.
func Run(t testing.TB, dir string, env []string, bin string, args ...string) Result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = dir, env, &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running %s %s: %v", filepath.Base(bin), strings.Join(args, " "), err)
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
}

// MustRun is Run for a command that must succeed.
func MustRun(t testing.TB, dir string, env []string, bin string, args ...string) Result {
	t.Helper()
	r := Run(t, dir, env, bin, args...)
	if r.Code != 0 {
		t.Fatalf("%s %s: exit %d\n%s", filepath.Base(bin), strings.Join(args, " "), r.Code, r.Stderr)
	}
	return r
}

// HostEnviron is this process's environment as a user's shell would pass
// it on, without the variables named in drop (a trailing * matches a
// prefix), and with a HOME and DOCKER_CONFIG of the test's own, so no
// credentials or settings of this machine's user reach hoist. It keeps the
// host's Go caches: a cold build cache would recompile the standard library
// on every run.
func HostEnviron(t testing.TB, drop ...string) []string {
	t.Helper()
	caches, err := GoCaches()
	if err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k != "HOME" && k != "DOCKER_CONFIG" && !matchesAny(k, drop) {
			env = append(env, kv)
		}
	}
	env = append(env, caches...)
	return append(env, "HOME="+t.TempDir(), "DOCKER_CONFIG="+t.TempDir())
}

func matchesAny(key string, patterns []string) bool {
	for _, p := range patterns {
		if prefix, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(key, prefix) || key == p {
			return true
		}
	}
	return false
}

// Output is what a background command writes, readable while it runs.
type Output struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.Write(p)
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
