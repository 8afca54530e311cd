package resolve_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/resolve"
)

func TestFiles(t *testing.T) {
	dir := t.TempDir()
	tree := map[string]string{}
	for _, f := range []string{"b.yaml", "a.yml", "c.json", "notes.txt", "sub/d.yaml", "sub/deeper/e.yml", "empty/README"} {
		tree[f] = "a: 1\n"
	}
	hoisttest.WriteFiles(t, dir, tree)
	in := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
		return out
	}
	cases := []struct {
		name      string
		args      []string
		recursive bool
		want      []string
		err       string
	}{
		{"directory", in("."), false, in("a.yml", "b.yaml", "c.json"), ""},
		{"recursive", in("."), true, in("a.yml", "b.yaml", "c.json", "sub/d.yaml", "sub/deeper/e.yml"), ""},
		{"file of any name", in("notes.txt"), false, in("notes.txt"), ""},
		{"stdin among files", append([]string{"-"}, in("sub")...), false, append([]string{"-"}, in("sub/d.yaml")...), ""},
		{"order of arguments kept", in("sub/d.yaml", "a.yml"), false, in("sub/d.yaml", "a.yml"), ""},
		{"missing", in("nope.yaml"), false, nil, "no such file"},
		{"nothing to read", in("empty"), false, nil, "-R also reads"},
		{"nothing even recursively", in("empty"), true, nil, "holds no .yaml"},
		{"no argument", nil, false, nil, "no file given"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolve.Files(tc.args, tc.recursive)
			if hoisttest.WantError(t, err, tc.err) {
				return
			}
			for i := range got {
				got[i] = filepath.Clean(got[i])
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Files = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConcat(t *testing.T) {
	cases := []struct {
		name    string
		streams []string
		want    string
	}{
		{"one stream is kept as is", []string{"a: 1"}, "a: 1"},
		{"marker between streams", []string{"a: 1\n", "b: 2\n"}, "a: 1\n---\nb: 2\n"},
		{"missing newline added", []string{"a: 1", "b: 2"}, "a: 1\n---\nb: 2"},
		{"own marker kept", []string{"a: 1\n", "--- # doc\nb: 2\n"}, "a: 1\n--- # doc\nb: 2\n"},
		{"marker-like text is not a marker", []string{"a: 1\n", "---x: 2\n"}, "a: 1\n---\n---x: 2\n"},
		{"directives end the previous document", []string{"a: 1\n", "%YAML 1.1\n---\nb: 2\n"}, "a: 1\n...\n%YAML 1.1\n---\nb: 2\n"},
		{"empty streams dropped", []string{"", "a: 1\n", ""}, "a: 1\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var in [][]byte
			for _, s := range tc.streams {
				in = append(in, []byte(s))
			}
			got := string(resolve.Concat(in...))
			if got != tc.want {
				t.Errorf("Concat = %q, want %q", got, tc.want)
			}
			if _, err := resolve.Refs([]byte(got)); err != nil {
				t.Errorf("joined stream does not parse: %v", err)
			}
		})
	}
}
