package kube

import (
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestDecodeIntegers: integers stay int64, so Unstructured's accessors
// and the API types read them, whether the document is YAML or JSON.
func TestDecodeIntegers(t *testing.T) {
	for _, in := range []string{"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec: {replicas: 3}\n", `{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"}, "spec": {"replicas": 3}}`} {
		objs, err := Decode([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if n, ok, err := unstructured.NestedInt64(objs[0].Object, "spec", "replicas"); !ok || err != nil || n != 3 {
			t.Errorf("spec.replicas = %d, %v, %v; want int64 3", n, ok, err)
		}
	}
}

func TestDecode(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		want    []string // kind/name of each object, in order
		wantErr string
	}{
		{"two documents", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\n", []string{"Service/a", "Deployment/b"}, ""},
		{"empty and comment-only documents dropped", "---\n# nothing\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n", []string{"ConfigMap/c"}, ""},
		{"JSON", `{"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}`, []string{"Secret/s"}, ""},
		{"List items spliced in", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: one}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: two}}\n", []string{"ConfigMap/one", "ConfigMap/two"}, ""},
		{"nothing", "", nil, ""},
		{"no name", "apiVersion: v1\nkind: Service\nmetadata: {generateName: a-}\n", nil, "document 1: Service has no metadata.name"},
		{"no kind", "apiVersion: v1\nmetadata: {name: a}\n", nil, `document 1: object "a" has no kind`},
		{"no apiVersion in the second document", "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nkind: Service\nmetadata: {name: b}\n", nil, `document 2: object "b" has no apiVersion`},
		{"List item without a name", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap}\n", nil, "List item 0: ConfigMap has no metadata.name"},
		{"not YAML", "kind: [Service\n", nil, "decoding document 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := Decode([]byte(tc.in))
			if hoisttest.WantError(t, err, tc.wantErr) {
				return
			}
			var got []string
			for _, o := range objs {
				got = append(got, o.GetKind()+"/"+o.GetName())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("objects = %v, want %v", got, tc.want)
			}
		})
	}
}
