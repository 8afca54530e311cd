package e2e

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/internal/runctest"
)

// serverMain answers every request with its own name on :80.
const serverMain = `package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.ListenAndServe(":80", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "%s") }))
}
`

// TestSeveralCommandsRun: a .hoist.yaml images entry makes one image with
// two commands (ko#251); under runc the entrypoint answers, and so does the
// other binary when run in its place.
func TestSeveralCommandsRun(t *testing.T) {
	requireRuntime(t)
	bin, _ := hoistBinary(t)
	host := registrytest.New(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), "module example.com/pair\n\ngo 1.22\n")
	writeFile(t, filepath.Join(dir, "cmd", "alpha", "main.go"), strings.Replace(serverMain, "%s", "alpha", 1))
	writeFile(t, filepath.Join(dir, "cmd", "beta", "main.go"), strings.Replace(serverMain, "%s", "beta", 1))
	writeFile(t, filepath.Join(dir, ".hoist.yaml"), "images:\n  - name: pair\n    packages: [./cmd/alpha, ./cmd/beta]\n    entrypoint: beta\n")
	lines := hoist(t, bin, dir, "build", "--repo", host+"/multi", "--sbom", "none", "--provenance=false")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], host+"/multi/pair@sha256:") {
		t.Fatalf("stdout = %q, want one reference to the image pair", lines)
	}
	img, err := remote.Image(must(name.ParseReference(lines[0])))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, tc := range []struct {
		args []string
		want string
	}{{nil, "beta"}, {[]string{"/ko-app/alpha"}, "alpha"}} {
		c, err := runctest.Start(ctx, img, t.TempDir(), runctest.Options{Args: tc.args})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.WaitHTTP(ctx, 80, "/"); err != nil {
			c.Close()
			t.Fatalf("%v never answered: %v\n%s", tc.args, err, c.Logs())
		}
		status, body, err := c.Get(ctx, 80, "/")
		c.Close()
		if err != nil || status != 200 || string(body) != tc.want {
			t.Errorf("%v: GET / = %d %q (%v), want %s", tc.args, status, body, err, tc.want)
		}
	}
}
