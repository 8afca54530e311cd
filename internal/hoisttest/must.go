package hoisttest

import "testing"

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
