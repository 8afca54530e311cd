package sbom

import (
	"strings"
	"testing"
)

// FuzzInspect feeds arbitrary documents, as a registry can serve in place
// of an SBOM, to Inspect for both formats: no panic, one-line errors, and
// a digest it accepts is sha256:<64 hex>.
func FuzzInspect(f *testing.F) {
	hex := strings.Repeat("0f", 32)
	for _, seed := range []string{
		`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","documentDescribes":["SPDXRef-image"],"packages":[{"SPDXID":"SPDXRef-image","checksums":[{"algorithm":"SHA256","checksumValue":"` + hex + `"}]}]}`,
		`{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"hashes":[{"alg":"SHA-256","content":"` + hex + `"}],"version":"sha256:` + hex + `"}}}`,
		`{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","documentDescribes":["x"],"packages":[]}`,
		`{`, `null`, `{"bomFormat":"CycloneDX","metadata":{"component":{"version":"sha256:zz\nforged"}}}`,
	} {
		f.Add(true, []byte(seed))
		f.Add(false, []byte(seed))
	}
	f.Fuzz(func(t *testing.T, spdx bool, data []byte) {
		mt := CycloneDXMediaType
		if spdx {
			mt = SPDXMediaType
		}
		info, err := Inspect(mt, data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error: %q", err)
			}
			return
		}
		if d := info.Digest; d != "" && (len(d) != len("sha256:")+64 || !strings.HasPrefix(d, "sha256:") || strings.ContainsAny(d, "\n\r ")) {
			t.Errorf("accepted digest %q", d)
		}
		if strings.ContainsAny(info.Version, "\n\r") {
			t.Errorf("version %q spans lines", info.Version)
		}
	})
}
