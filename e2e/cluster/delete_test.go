package cluster

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestNamespaceAndDelete applies into a namespace given with -n, then
// deletes what deploy/app.yaml describes without building it (its ko://
// image stays unresolved), finding the cluster through KUBECONFIG alone.
func TestNamespaceAndDelete(t *testing.T) {
	c, dyn := controlPlane(t)
	kubeconfig := []string{"--kubeconfig", c.Kubeconfig}

	file := filepath.Join(t.TempDir(), "team.yaml")
	ns := "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n"
	if err := os.WriteFile(file, []byte(ns+configMap("settings")), 0o644); err != nil {
		t.Fatal(err)
	}
	mustHoist(t, nil, append([]string{"apply", "-f", file, "-n", "team"}, kubeconfig...)...)
	if !exists(t, dyn, configMaps, "team", "settings") || exists(t, dyn, configMaps, "default", "settings") {
		t.Fatal("-n team: the ConfigMap is not (only) in namespace team")
	}

	// The objects to delete, applied with a digest-free image so that no
	// registry is needed; delete reads deploy/app.yaml as it is.
	app, err := os.ReadFile(filepath.Join(hoisttest.Root(t), "deploy", "app.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.WriteFile(plain, []byte(strings.ReplaceAll(string(app), "ko://github.com/hoist-build/hoist/app", "registry.invalid/app:1")), 0o644); err != nil {
		t.Fatal(err)
	}
	mustHoist(t, nil, append([]string{"apply", "-f", plain, "--wait=false"}, kubeconfig...)...)

	env := []string{"KUBECONFIG=" + c.Kubeconfig}
	del := mustHoist(t, env, "delete", "-f", "deploy/app.yaml")
	want := []string{"service/app deleted", "deployment.apps/app deleted"}
	if got := reported(del); !slices.Equal(got, want) {
		t.Fatalf("reported %q, want %q\nstderr:\n%s", got, want, del.Stderr)
	}
	if exists(t, dyn, deployments, "default", "app") || exists(t, dyn, services, "default", "app") {
		t.Fatal("hoist delete returned before the objects were gone")
	}

	again := hoist(t, env, "delete", "-f", "deploy/app.yaml")
	if again.Code != 1 || !strings.Contains(again.Stderr, "not found: service/app, deployment.apps/app") {
		t.Errorf("second delete: exit %d, want 1 naming both objects\nstderr:\n%s", again.Code, again.Stderr)
	}
	mustHoist(t, env, "delete", "-f", "deploy/app.yaml", "--ignore-not-found")
}
