package hoisttest

import (
	"strings"
	"testing"
)

// Seed adds each of seeds to f's corpus.
func Seed(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add([]byte(s))
	}
}

// Refused reports whether a fuzzed parser refused its input (err is set),
// and flags the error when its message spans lines: hoist prints errors as
// one line, and an input must not be able to forge the lines after it.
func Refused(t testing.TB, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("multi-line error: %q", err)
	}
	return true
}
