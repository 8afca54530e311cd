package sign

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/provenance"
	"github.com/hoist-build/hoist/sbom"
)

// TestStatementsFromDir reads what `hoist build --sbom-dir` writes for an
// index: each image's SBOM becomes a statement about that image, the one
// provenance statement one about every manifest it names, and other files
// are left alone.
func TestStatementsFromDir(t *testing.T) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("the test binary has no build info")
	}
	index := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("a", 64)}
	amd64 := v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("b", 64)}
	dir := t.TempDir()
	spdx, err := sbom.Generate(sbom.FormatSPDX, sbom.Input{Name: "app", Digest: amd64.String(), BuildInfo: bi})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := provenance.Generate(provenance.Input{
		Subjects:  []provenance.Subject{{Name: "app", Digest: index.String()}, {Name: "app", Digest: amd64.String()}},
		BuildInfo: map[string]*debug.BuildInfo{"linux/amd64": bi},
	})
	if err != nil {
		t.Fatal(err)
	}
	for file, data := range map[string][]byte{
		"app-linux-amd64.spdx.json": spdx, "app.intoto.json": prov, "notes.txt": []byte("not a document"),
	} {
		if err := os.WriteFile(filepath.Join(dir, file), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	repo, _ := name.NewRepository("registry.example/team/app")
	got, err := StatementsFromDir(dir, repo)
	if err != nil {
		t.Fatal(err)
	}
	want := map[v1.Hash][]string{index: {PredicateSLSA1}, amd64: {PredicateSPDX, PredicateSLSA1}}
	for d, types := range want {
		var gotTypes []string
		for _, st := range got[d] {
			var h statementHeader
			if err := json.Unmarshal(st, &h); err != nil {
				t.Fatal(err)
			}
			if !h.covers(d) {
				t.Errorf("the %s statement for %s is not about it", h.PredicateType, d)
			}
			gotTypes = append(gotTypes, h.PredicateType)
		}
		if strings.Join(gotTypes, " ") != strings.Join(types, " ") {
			t.Errorf("%s: statements %v, want %v", d, gotTypes, types)
		}
	}
	if len(got) != 2 {
		t.Errorf("statements for %d digests, want 2", len(got))
	}

	if err := os.WriteFile(filepath.Join(dir, "broken.cdx.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := StatementsFromDir(dir, repo); err == nil || !strings.Contains(err.Error(), "broken.cdx.json") {
		t.Fatalf("a broken document: err = %v, want one naming the file", err)
	}
}
