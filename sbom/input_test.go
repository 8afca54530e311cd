package sbom_test

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/sbom"
)

// TestInspect reads back the digest each format describes, which is what
// attest verifies against the image the SBOM is attached to.
func TestInspect(t *testing.T) {
	cases := []struct {
		format    sbom.Format
		wantVer   string
		wantPkgs  int
		mediaType string
	}{
		{sbom.FormatSPDX, "SPDX-2.3", 10, sbom.SPDXMediaType},
		{sbom.FormatCycloneDX, "CycloneDX 1.5", 9, sbom.CycloneDXMediaType},
	}
	for _, tc := range cases {
		t.Run(string(tc.format), func(t *testing.T) {
			if tc.format.MediaType() != tc.mediaType {
				t.Errorf("media type = %s, want %s", tc.format.MediaType(), tc.mediaType)
			}
			doc, err := sbom.Generate(tc.format, input())
			if err != nil {
				t.Fatal(err)
			}
			info, err := sbom.Inspect(tc.mediaType, doc)
			if err != nil {
				t.Fatal(err)
			}
			if info.Digest != digest || info.Version != tc.wantVer || info.Packages != tc.wantPkgs {
				t.Errorf("Inspect = %+v, want digest %s, %s, %d packages", info, digest, tc.wantVer, tc.wantPkgs)
			}
		})
	}
	if _, err := sbom.Inspect(sbom.SPDXMediaType, []byte(`{"bomFormat":"CycloneDX"}`)); err == nil {
		t.Error("a CycloneDX BOM passed as SPDX was accepted")
	}
}

func TestInvalidInput(t *testing.T) {
	cases := []struct {
		name string
		edit func(*sbom.Input)
		want string
	}{
		{"no name", func(in *sbom.Input) { in.Name = "" }, "no image name"},
		{"no build info", func(in *sbom.Input) { in.BuildInfo = nil }, "no build info"},
		{"short digest", func(in *sbom.Input) { in.Digest = "sha256:abc" }, "invalid image digest"},
		{"upper-case digest", func(in *sbom.Input) { in.Digest = strings.ToUpper(digest) }, "invalid image digest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := input()
			tc.edit(&in)
			for _, gen := range []func(sbom.Input) ([]byte, error){sbom.SPDX, sbom.CycloneDX} {
				if _, err := gen(in); err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("err = %v, want one containing %q", err, tc.want)
				}
			}
		})
	}
}

func TestParseFormat(t *testing.T) {
	cases := []struct {
		in   string
		want sbom.Format
		ok   bool
	}{
		{"", sbom.FormatSPDX, true}, {"SPDX", sbom.FormatSPDX, true}, {"cyclonedx", sbom.FormatCycloneDX, true},
		{"cdx", sbom.FormatCycloneDX, true}, {"none", sbom.FormatNone, true}, {"syft", "", false},
	}
	for _, tc := range cases {
		got, err := sbom.ParseFormat(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestModuleVersion(t *testing.T) {
	bi := buildInfo()
	cases := map[string]string{"golang.org/x/sync": "v0.25.0", "example.com/old": "v1.0.1", "example.com/none": ""}
	for path, want := range cases {
		if got := sbom.ModuleVersion(bi, path); got != want {
			t.Errorf("ModuleVersion(%s) = %q, want %q", path, got, want)
		}
	}
}

func h1Hex(t *testing.T, h1 string) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(h1, "h1:"))
	if err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
