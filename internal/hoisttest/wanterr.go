package hoisttest

import (
	"strings"
	"testing"
)

// ErrContains checks err against want, text the error must contain; an
// empty want means no error. It reports whether an error was wanted, so
// that a table test returns before checking a result that is not there.
func ErrContains(t testing.TB, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want one containing %q", err, want)
	}
	return true
}

// Must returns what f returns, failing the test on its error: for the
// one-line reads a test makes of what it checks, as Must(t, img.ConfigFile).
func Must[T any](t testing.TB, f func() (T, error)) T {
	t.Helper()
	v, err := f()
	if err != nil {
		t.Fatal(err)
	}
	return v
}
