package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/hoisttest"
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
	hoisttest.WriteFiles(t, dir, map[string]string{
		"go.mod":            "module example.com/pair\n\ngo 1.22\n",
		"cmd/alpha/main.go": strings.Replace(serverMain, "%s", "alpha", 1),
		"cmd/beta/main.go":  strings.Replace(serverMain, "%s", "beta", 1),
		".hoist.yaml":       "images:\n  - name: pair\n    packages: [./cmd/alpha, ./cmd/beta]\n    entrypoint: beta\n",
	})
	lines := hoist(t, bin, dir, "build", "--repo", host+"/multi", "--sbom", "none", "--provenance=false")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], host+"/multi/pair@sha256:") {
		t.Fatalf("stdout = %q, want one reference to the image pair", lines)
	}
	img := registrytest.Image(t, lines[0])
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, tc := range []struct {
		args []string
		want string
	}{{nil, "beta"}, {[]string{"/ko-app/alpha"}, "alpha"}} {
		c := serve(ctx, t, img, runctest.Options{Args: tc.args}, 80, "/")
		wantBody(ctx, t, c, "/", tc.want)
		c.Close()
	}
}
