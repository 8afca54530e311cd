package registry

import (
	"testing"
	"time"
)

// FuzzParseRetryAfter feeds arbitrary Retry-After headers, which the
// registry controls: never a panic or a negative wait.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "1", "3600", "-5", "99999999999999999999", "Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 02 Jan 2099 15:04:05 GMT", "", "1.5", " 7", "9999999999999"} {
		f.Add(s)
	}
	now := time.Unix(1_700_000_000, 0)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := parseRetryAfter(v, now)
		if d < 0 || ok && d == 0 {
			t.Errorf("parseRetryAfter(%q) = %s, %v", v, d, ok)
		}
	})
}
