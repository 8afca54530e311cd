package user

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// hoistBin is the command under test, built once for the package.
var hoistBin string

// goCaches keeps the go command's caches when a test gives hoist its own
// HOME: a cold build cache would recompile the standard library each run.
var goCaches []string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hoist-user-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hoistBin = filepath.Join(dir, "hoist")
	if err := hoisttest.BuildHoist(filepath.Join("..", ".."), hoistBin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if goCaches, err = hoisttest.GoCaches(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// userEnv is a user's environment: their own HOME, no hoist settings, Go's
// settings stated rather than taken from this machine's go env file.
func userEnv(t *testing.T) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "HOIST_"), strings.HasPrefix(k, "GO"), k == "KO_DOCKER_REPO",
			k == "DOCKER_CONFIG", k == "HOME", k == "SOURCE_DATE_EPOCH", k == "TERM":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, goCaches...)
	return append(env, "GOENV=off", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local", "GOPROXY=off",
		"HOME="+t.TempDir(), "DOCKER_CONFIG="+t.TempDir(), "HOIST_CACHE="+t.TempDir(), "TERM=xterm")
}

// service writes a small module that is not the sample app: a hello
// server on :8080, without health endpoints, plus extra files.
func service(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod": "module example.com/hello\n\ngo 1.26\n",
		"main.go": `package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello") })
	http.ListenAndServe(":8080", nil)
}
`,
	}
	for k, v := range extra {
		files[k] = v
	}
	hoisttest.WriteFiles(t, dir, files)
	return dir
}

type result struct {
	stdout, stderr string
	code           int
}

// hoist runs the command in dir with env and returns what it printed.
func hoist(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(hoistBin, args...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running hoist: %v", err)
	}
	return result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
}
