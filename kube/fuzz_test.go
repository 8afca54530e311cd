package kube

import (
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// FuzzDecode feeds arbitrary streams to the decoder `hoist apply` and
// `hoist delete` run on a repository's YAML: no panic, every object it
// returns names apiVersion, kind and name, and errors are one line.
func FuzzDecode(f *testing.F) {
	hoisttest.Seed(f,
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
		"apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Secret\n  metadata: {name: s}\n",
		"---\n---\nnull\n", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}`,
		"a: [\n", "apiVersion: v1\nkind: ConfigMap\n", "- 1\n- 2\n", "kind: &a [*a, *a]\n",
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := Decode(data)
		if hoisttest.Refused(t, err) {
			return
		}
		for _, o := range objs {
			if o.GetAPIVersion() == "" || o.GetKind() == "" || o.GetName() == "" {
				t.Errorf("accepted an object without apiVersion, kind or name: %v", o.Object)
			}
		}
	})
}
