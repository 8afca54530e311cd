//go:build unix

package dirlock

import (
	"os"

	"golang.org/x/sys/unix"
)

// Lock takes an exclusive flock on the directory itself, so no lock file
// is left among the directory's files; the kernel drops it if hoist dies.
func Lock(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		unix.Flock(int(f.Fd()), unix.LOCK_UN)
		f.Close()
	}, nil
}
