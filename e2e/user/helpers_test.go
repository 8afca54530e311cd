package user

import (
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

func TestMain(m *testing.M) { hoisttest.Main(m) }

// userEnv is a user's environment: their own HOME, no hoist settings, Go's
// settings stated rather than taken from this machine's go env file.
func userEnv(t *testing.T) []string {
	t.Helper()
	env := hoisttest.HostEnviron(t, "HOIST_*", "GO*", "KO_DOCKER_REPO", "SOURCE_DATE_EPOCH", "TERM")
	return append(env, "GOENV=off", "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local", "GOPROXY=off",
		"HOIST_CACHE="+t.TempDir(), "TERM=xterm")
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

// hoist runs the command in dir with env and returns what it printed.
func hoist(t *testing.T, dir string, env []string, args ...string) hoisttest.Result {
	t.Helper()
	return hoisttest.Run(t, dir, env, hoisttest.Binary(t), args...)
}
