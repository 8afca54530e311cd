package resolve_test

import (
	"bytes"
	"testing"

	"github.com/hoist-build/hoist/resolve"
)

// FuzzReplace feeds arbitrary streams to Refs and Replace. Neither may
// panic; a stream without ko:// must come back unchanged whenever it is
// valid YAML; and whenever Refs accepts a stream, Replace must succeed and
// leave no reference behind, since its own check would otherwise have
// caught a splice that changed more than the references.
func FuzzReplace(f *testing.F) {
	for _, p := range corpus(f) {
		f.Add(read(f, p))
	}
	f.Add([]byte("a: &x !!str ko://a/b\nb: *x\n"))
	f.Add([]byte("- \"ko://a/\\\nb\"\n- 'ko://c'\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		orig := bytes.Clone(in)
		paths, refsErr := resolve.Refs(in)
		refs := map[string]string{}
		for _, p := range paths {
			refs[p] = "registry.example.com/" + p + "@sha256:0123"
		}
		out, err := resolve.Replace(in, refs)
		if !bytes.Equal(in, orig) {
			t.Fatal("Replace modified its input")
		}
		if !bytes.Contains(in, []byte(resolve.Scheme)) && validYAML(in) {
			if err != nil {
				t.Fatalf("valid YAML without references: %v", err)
			}
			if !bytes.Equal(out, in) {
				t.Fatalf("valid YAML without references changed:\n%q\n%q", in, out)
			}
		}
		if refsErr != nil {
			return
		}
		if err != nil {
			t.Fatalf("Refs accepted the stream but Replace failed: %v\n%q", err, in)
		}
		if left, err := resolve.Refs(out); err != nil || len(left) != 0 {
			t.Fatalf("after Replace, Refs = %q, %v\n%q", left, err, out)
		}
	})
}

func validYAML(b []byte) bool {
	_, err := resolve.Parse(b)
	return err == nil
}
