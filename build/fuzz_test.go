package build

import (
	"strings"
	"testing"
)

// FuzzParsePlatform: any input either parses to a platform that prints back
// to an equivalent string, or fails with a one-line error quoting it.
func FuzzParsePlatform(f *testing.F) {
	for _, s := range []string{"linux/amd64", "linux/arm/v7", "linux/arm64/v8", "linux", "", "/", "linux/amd64/v3/x", "windows/amd64"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlatform(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error for %q: %q", s, err)
			}
			return
		}
		again, err := ParsePlatform(p.String())
		if err != nil || again.String() != p.String() {
			t.Errorf("%q parsed to %s, which reparses to %s (%v)", s, p.String(), again.String(), err)
		}
	})
}
