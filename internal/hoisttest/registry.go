package hoisttest

import (
	"strings"
	"testing"
)

// WantErr checks the error of a table test's case: want is the text the
// error must contain, or "" when the case must succeed. A mismatch fails
// the test; the result says whether an error was expected (and found), so
// the case has nothing more to check and returns.
func WantErr(t testing.TB, err error, want string) bool {
	t.Helper()
	return wantErr(t, err, want, false)
}

// WantErrLine is WantErr for errors that must also be one line, as every
// error hoist shows its user is.
func WantErrLine(t testing.TB, err error, want string) bool {
	t.Helper()
	return wantErr(t, err, want, true)
}

func wantErr(t testing.TB, err error, want string, oneLine bool) bool {
	t.Helper()
	switch {
	case want == "" && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want == "":
		return false
	case err == nil || !strings.Contains(err.Error(), want):
		t.Fatalf("error %v, want one containing %q", err, want)
	case oneLine && strings.ContainsAny(err.Error(), "\r\n"):
		t.Fatalf("error %q spans several lines", err)
	}
	return true
}
