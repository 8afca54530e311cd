package hoisttest

import (
	"strings"
	"testing"
)

// WantError checks err against a table case's expected error: with want
// empty, err must be nil; otherwise err must be an error whose message
// contains want. It reports whether an error was expected, so that the case
// ends there:
//
//	got, err := f(tc.in)
//	if hoisttest.WantError(t, err, tc.wantErr) {
//		return
//	}
func WantError(t testing.TB, err error, want string) bool {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return false
	}
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want one containing %q", err, want)
	}
	return true
}
