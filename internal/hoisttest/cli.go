package hoisttest

import "testing"

// Failed checks the outcome of a command run that must fail when want is
// set: an error containing want (see WantError), and nothing on stdout. It
// reports whether want was set, so that the case ends there.
func Failed(t testing.TB, stdout string, err error, want string) bool {
	t.Helper()
	if !WantError(t, err, want) {
		return false
	}
	if stdout != "" {
		t.Errorf("stdout = %q after the error, want nothing", stdout)
	}
	return true
}

// Fields are the values a test checks, a row each: what the value is, what
// it was found to be, and what it must be (compared with ==).
type Fields [][3]any

// CheckFields reports every field that is not what it must be, after
// prefix when there is one.
func CheckFields(t testing.TB, prefix string, fields Fields) {
	t.Helper()
	if prefix != "" {
		prefix += ": "
	}
	for _, f := range fields {
		if f[1] != f[2] {
			t.Errorf("%s%v = %v, want %v", prefix, f[0], f[1], f[2])
		}
	}
}
