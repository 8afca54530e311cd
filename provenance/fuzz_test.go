package provenance

import (
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary documents, as a registry can serve in place of
// a provenance statement, to Parse: no panic, one-line errors, and every
// subject digest it accepts is "" or sha256:<64 hex>.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		`{"_type":"https://in-toto.io/Statement/v1","predicateType":"https://slsa.dev/provenance/v1","subject":[{"name":"a","digest":{"sha256":"` + strings.Repeat("ab", 32) + `"}}],"predicate":{"buildDefinition":{"buildType":"x"},"runDetails":{"builder":{"id":"y"}}}}`,
		`{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"digest":{"sha512":"00"}}]}`,
		`{"subject":null}`, `[]`, `{`, `{"subject":[{"digest":{"sha256":"zz"}}]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error: %q", err)
			}
			return
		}
		for _, s := range p.Subjects {
			if s.Digest != "" && (len(s.Digest) != len("sha256:")+64 || !strings.HasPrefix(s.Digest, "sha256:")) {
				t.Errorf("accepted subject digest %q", s.Digest)
			}
		}
	})
}
