package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/resolve"
)

// TestCommittedManifestsAreCurrent keeps deploy/app.yaml what the command
// in its header prints today; regenerate it with
// go run ./cmd/hoist manifests --port 80 --probe-path /healthz --readiness-path /readyz ./app > deploy/app.yaml
func TestCommittedManifestsAreCurrent(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	committed, err := os.ReadFile(filepath.Join(root, "deploy", "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := runHoist(t, root, "", appManifestsArgs...)
	if err != nil {
		t.Fatal(err)
	}
	if out != string(committed) {
		t.Errorf("deploy/app.yaml is stale; regenerate it with: go run ./cmd/hoist %s > deploy/app.yaml\ngenerated now:\n%s", strings.Join(appManifestsArgs, " "), out)
	}
}

var appManifestsArgs = []string{"manifests", "--port", "80", "--probe-path", "/healthz", "--readiness-path", "/readyz", "./app"}

func TestManifestsCommand(t *testing.T) {
	dir := svcModule(t, map[string]string{"svc.yaml": "port: 9898\n"})
	cases := []struct {
		name  string
		args  []string
		image string
		want  []string
		err   string
	}{
		{"package argument", []string{"./cmd/api"}, "example.com/svc/cmd/api", []string{"replicas: 2", "name: api", "`hoist manifests --port 80 --replicas 2 ./cmd/api`", "containerPort: 80"}, ""},
		{"port from .hoist.yaml", []string{"--config", "svc.yaml", "./cmd/api"}, "example.com/svc/cmd/api", []string{"containerPort: 9898", "port: 9898", "--port 9898 --replicas 2"}, ""},
		{"flags", []string{"--port", "8080", "--probe-path", "/status", "--name", "web", "-n", "shop", "./cmd/api"}, "example.com/svc/cmd/api", []string{"containerPort: 8080", "path: /status", "name: web", "namespace: shop", "`hoist manifests --port 8080 --probe-path /status --name web --namespace shop --replicas 2 ./cmd/api`"}, ""},
		{"no port", []string{"--port", "0", "./cmd/api"}, "example.com/svc/cmd/api", []string{"kind: Deployment"}, ""},
		{"probe without port", []string{"--port", "0", "--probe-path", "/x", "./cmd/api"}, "", nil, "probes need a port"},
		{"replicas", []string{"--replicas", "5", "example.com/svc/cmd/worker"}, "example.com/svc/cmd/worker", []string{"replicas: 5", "name: worker"}, ""},
		{"library", []string{"./lib"}, "", nil, "not a main package"},
		{"missing", []string{"./nope"}, "", nil, "nope"},
		{"two packages", []string{"./cmd/api", "./cmd/worker"}, "", nil, "accepts at most 1 arg"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runHoist(t, dir, "", append([]string{"manifests"}, tc.args...)...)
			if hoisttest.Failed(t, out, err, tc.err) {
				return
			}
			refs, err := resolve.Refs([]byte(out))
			if err != nil || len(refs) != 1 || refs[0] != tc.image {
				t.Errorf("references = %q, %v; want [%s]", refs, err, tc.image)
			}
			if strings.Contains(out, "SHUTDOWN_GRACE") || strings.Contains(out, "Probe") && !slices.Contains(tc.args, "--probe-path") {
				t.Errorf("output has the sample app's settings:\n%s", out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}
