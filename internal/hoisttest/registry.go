package hoisttest

import (
	"strings"
	"testing"
)

// WantErrorLine is WantError for errors that must also be one line, as
// every error hoist shows its user is (registry errors quote responses and
// URLs, which must not break the line).
func WantErrorLine(t testing.TB, err error, want string) bool {
	t.Helper()
	if !WantError(t, err, want) {
		return false
	}
	if strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("error %q spans several lines", err)
	}
	return true
}
