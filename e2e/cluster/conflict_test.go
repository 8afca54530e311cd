package cluster

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestApplyConflict: a field another manager took over is not silently
// taken back; the error names the field and the flag, and
// --force-conflicts takes it.
func TestApplyConflict(t *testing.T) {
	c, dyn := controlPlane(t)
	write := func(value string) string {
		file := filepath.Join(t.TempDir(), "cm.yaml")
		if err := os.WriteFile(file, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned}\ndata: {k: "+value+"}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return file
	}
	mustHoist(t, nil, "apply", "-f", write("hoist"), "--kubeconfig", c.Kubeconfig)
	other := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "owned"}, "data": map[string]any{"k": "other"},
	}}
	if _, err := dyn.Resource(configMaps).Namespace("default").Apply(context.Background(), "owned", other, metav1.ApplyOptions{FieldManager: "other", Force: true}); err != nil {
		t.Fatal(err)
	}

	changed := write("hoist-again")
	r := hoist(t, nil, "apply", "-f", changed, "--kubeconfig", c.Kubeconfig)
	if r.Code != 1 || !strings.Contains(r.Stderr, `applying configmap/owned: .data.k: conflict with "other" (--force-conflicts takes these fields over)`) {
		t.Fatalf("exit %d, want 1 and the conflict named\nstderr:\n%s", r.Code, r.Stderr)
	}
	forced := mustHoist(t, nil, "apply", "-f", changed, "--kubeconfig", c.Kubeconfig, "--force-conflicts")
	if got, want := reported(forced), []string{"configmap/owned serverside-applied"}; !slices.Equal(got, want) {
		t.Fatalf("reported %q, want %q", got, want)
	}
	u, err := dyn.Resource(configMaps).Namespace("default").Get(context.Background(), "owned", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _, _ := unstructured.NestedString(u.Object, "data", "k"); v != "hoist-again" {
		t.Errorf("data.k = %q after --force-conflicts, want hoist-again", v)
	}
}
