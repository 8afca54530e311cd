//go:build !unix

package publish

// lockDir is a no-op where flock is missing: concurrent runs into one layout
// are then not safe.
func lockDir(string) (func(), error) { return func() {}, nil }
