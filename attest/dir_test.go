package attest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

func TestWriteDir(t *testing.T) {
	prov := Document{Kind: KindProvenance, FileName: "app.intoto.json", Data: []byte(`{"a":1}`)}
	cases := []struct {
		name  string
		docs  []Document
		files map[string]string
		want  string
	}{
		{"shared provenance written once", []Document{
			{Kind: KindSBOM, FileName: "app-linux-amd64.spdx.json", Data: []byte("amd64")}, prov, prov,
		}, map[string]string{"app-linux-amd64.spdx.json": "amd64", "app.intoto.json": `{"a":1}`}, ""},
		{"same name, other content", []Document{prov, {Kind: KindProvenance, FileName: prov.FileName, Data: []byte("{}")}}, nil,
			"two different documents share the name"},
		{"path in name", []Document{{Kind: KindSBOM, FileName: "../escape.json"}}, nil, `invalid file name "../escape.json"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sboms")
			paths, err := WriteDir(dir, tc.docs)
			if hoisttest.WantError(t, err, tc.want) {
				return
			}
			if len(paths) != len(tc.docs) {
				t.Errorf("got %d paths for %d documents", len(paths), len(tc.docs))
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != len(tc.files) {
				t.Errorf("dir holds %d entries, want %d (no temporary files left)", len(entries), len(tc.files))
			}
			for name, want := range tc.files {
				got, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil || string(got) != want {
					t.Errorf("%s = %q (%v), want %q", name, got, err, want)
				}
			}
		})
	}
}
