package main

import (
	"bytes"
	"context"
	"io"
	"maps"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// svcModule writes a module with two main packages, a library, and the
// given extra files, and returns its directory.
func svcModule(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":             "module example.com/svc\n\ngo 1.26\n",
		"cmd/api/main.go":    "package main\n\nfunc main() {}\n",
		"cmd/worker/main.go": "package main\n\nfunc main() {}\n",
		"lib/lib.go":         "package lib\n",
	}
	maps.Copy(files, extra)
	hoisttest.WriteFiles(t, dir, files)
	return dir
}

// runHoist runs the command line in dir with stdin and returns stdout.
func runHoist(t *testing.T, dir, stdin string, args ...string) (string, error) {
	t.Helper()
	clearEnv(t)
	t.Chdir(dir)
	root := newRoot()
	var stdout bytes.Buffer
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&stdout)
	root.SetErr(io.Discard)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return stdout.String(), err
}
