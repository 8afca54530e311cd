package resolve_test

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/resolve"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata from the current output")

const (
	api     = "example.com/svc/cmd/api"
	worker  = "example.com/svc/cmd/worker"
	migrate = "example.com/svc/cmd/migrate"
)

// digestRef is a plausible, deterministic registry reference for path.
func digestRef(path string) string {
	return fmt.Sprintf("registry.example.com:5000/hoist/%s@sha256:%x", path[strings.LastIndex(path, "/")+1:], sha256.Sum256([]byte(path)))
}

func refsFor(paths ...string) map[string]string {
	out := map[string]string{}
	for _, p := range paths {
		out[p] = digestRef(p)
	}
	return out
}

// TestGolden replaces the references of each corpus file and compares the
// result with its golden file, byte for byte.
func TestGolden(t *testing.T) {
	cases := []struct {
		file  string
		paths []string
	}{
		{"multidoc.yaml", []string{api, migrate}},
		{"lists.yaml", []string{api, worker}},
		{"comments.yaml", []string{api, worker}},
		{"nonstring.yaml", []string{api, worker}},
		{"repeated.yaml", []string{api, worker}},
		{"quoted.yaml", []string{api, worker}},
		{"norefs.yaml", []string{}},
		{"manifest.json", []string{api, worker}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			in := read(t, filepath.Join("testdata", tc.file))
			paths, err := resolve.Refs(in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(paths, tc.paths) {
				t.Errorf("Refs = %q, want %q", paths, tc.paths)
			}
			out, err := resolve.Replace(in, refsFor(tc.paths...))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", tc.file)
			if *update {
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if want := read(t, golden); !bytes.Equal(out, want) {
				t.Errorf("output differs from %s:\n%s", golden, out)
			}
			if len(tc.paths) == 0 && !bytes.Equal(out, in) {
				t.Errorf("a stream without references changed:\n%s", out)
			}
			if left, err := resolve.Refs(out); err != nil || len(left) != 0 {
				t.Errorf("Refs(output) = %q, %v; want none", left, err)
			}
		})
	}
}

// TestGoldenDecodes checks the golden files say what the test claims, with a
// decoder rather than by eye: decoding a golden file gives what decoding its
// input gives once each ko:// string node holds its digest reference, so
// aliases, merge keys and tags are followed exactly as yaml.v3 follows them.
func TestGoldenDecodes(t *testing.T) {
	refs := refsFor(api, worker, migrate)
	files := corpus(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			want := decodeAll(t, read(t, f), refs)
			got := decodeAll(t, read(t, filepath.Join("testdata", "golden", filepath.Base(f))), nil)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("decoded golden file\n%v\nwant\n%v", got, want)
			}
		})
	}
}

// decodeAll decodes every document, first setting each ko:// string node to
// its reference in refs.
func decodeAll(t *testing.T, b []byte, refs map[string]string) []any {
	t.Helper()
	docs, err := resolve.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []any
	for _, n := range docs {
		substitute(n, refs)
		var v any
		if err := n.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func substitute(n *yaml.Node, refs map[string]string) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		if p, ok := strings.CutPrefix(n.Value, resolve.Scheme); ok && refs[p] != "" {
			n.Value = refs[p]
		}
	}
	for _, c := range n.Content {
		substitute(c, refs)
	}
}

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// corpus lists the input files under testdata (their golden files are under
// testdata/golden).
func corpus(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*.*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("corpus: %v, %v", files, err)
	}
	return files
}

// replaceCases are inputs easier to read inline than as files: line endings,
// byte order marks, references whose text cannot stand unquoted, and what
// Replace must refuse (wantErr).
var replaceCases = []struct {
	name    string
	in      string
	refs    map[string]string
	want    string
	wantErr string
}{
	{"crlf", "a: 1\r\nb: ko://example.com/x\r\nc: [ko://example.com/x]\r\n", map[string]string{"example.com/x": "r.io/x@sha256:1"}, "a: 1\r\nb: r.io/x@sha256:1\r\nc: [r.io/x@sha256:1]\r\n", ""},
	{"byte order mark", "\ufeffb: ko://example.com/x\n", map[string]string{"example.com/x": "r.io/x@sha256:1"}, "\ufeffb: r.io/x@sha256:1\n", ""},
	{"no final newline", "b: ko://example.com/x", map[string]string{"example.com/x": "r.io/x"}, "b: r.io/x", ""},
	{"plain ref that would read as a bool", "b: ko://example.com/x\n", map[string]string{"example.com/x": "true"}, "b: \"true\"\n", ""},
	{"plain ref with a blank", "b: ko://example.com/x # c\n", map[string]string{"example.com/x": "a #b"}, "b: \"a #b\" # c\n", ""},
	{"single quote in single-quoted", "b: 'ko://example.com/x'\n", map[string]string{"example.com/x": "it's"}, "b: 'it''s'\n", ""},
	{"escape in double-quoted", "b: \"ko://example.com/x\"\n", map[string]string{"example.com/x": "a\"b\\c\u0007"}, "b: \"a\\\"b\\\\c\\u0007\"\n", ""},
	{"tab after the key", "b:\tko://example.com/x\n", map[string]string{"example.com/x": "r.io/x"}, "b:\tr.io/x\n", ""},
	{"wide characters before", "ключ: [ü, ko://example.com/x]\n", map[string]string{"example.com/x": "r.io/x"}, "ключ: [ü, r.io/x]\n", ""},
	{"NEL ends a comment line", "# c\u0085b: ko://example.com/x\n", map[string]string{"example.com/x": "r.io/x"}, "# c\u0085b: r.io/x\n", ""},
	{"LS breaks a line", "a: 1\u2028b: [ko://example.com/x]\n", map[string]string{"example.com/x": "r.io/x"}, "a: 1\u2028b: [r.io/x]\n", ""},
	{"CR alone breaks a line", "a: \"x\r\n y\"\rb: ko://example.com/x\r", map[string]string{"example.com/x": "r.io/x"}, "a: \"x\r\n y\"\rb: r.io/x\r", ""},
	{"only comments", "# ko://example.com/x\n", nil, "# ko://example.com/x\n", ""},
	{"empty", "", nil, "", ""},

	{"scheme alone", "image: ko://\n", nil, "", "followed by a Go import path"},
	{"relative path", "image: ko://./cmd/api\n", nil, "", "not a file path"},
	{"absolute path", "image: ko:///src/api\n", nil, "", "not a file path"},
	{"blank inside", "image: 'ko://example.com/a b'\n", nil, "", `character ' '`},
	{"trailing slash", "image: ko://example.com/a/\n", nil, "", "empty element"},
	{"dot element", "image: ko://example.com/../a\n", nil, "", "dot"},
	{"clipped block keeps a newline", "image: |\n  ko://example.com/a\n", nil, "", `character '\n'`},
	{"not YAML", "a: [b\n", nil, "", "parsing YAML"},
	{"missing reference", "image: ko://example.com/a\n", map[string]string{}, "", "no image reference was given"},
	{"multi-line reference", "image: ko://example.com/a\n", map[string]string{"example.com/a": "r.io/a\nb: c"}, "", "not one line"},
	{"empty reference", "image: ko://example.com/a\n", map[string]string{"example.com/a": ""}, "", "not one line"},
}

// TestReplace checks Replace's output byte for byte, and that what it
// refuses without any reference given, Refs refuses too.
func TestReplace(t *testing.T) {
	for _, tc := range replaceCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := resolve.Replace([]byte(tc.in), tc.refs)
			if hoisttest.WantError(t, err, tc.wantErr) {
				if _, err := resolve.Refs([]byte(tc.in)); tc.refs == nil && err == nil {
					t.Errorf("Refs accepted %q", tc.in)
				}
				return
			}
			if string(out) != tc.want {
				t.Errorf("got\n%q\nwant\n%q", out, tc.want)
			}
		})
	}
}
