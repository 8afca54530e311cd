//go:build unix

package workdir

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lock creates path, writes our pid in it and holds an exclusive flock on
// it until unlock; the kernel drops the lock if the process dies.
func lock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, err
	}
	_, _ = f.Write(pidLine())
	return func() { f.Close() }, nil
}

// tryLock takes the lock at path if it is free, without creating it.
func tryLock(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, errors.New("held by a live run")
	}
	return func() { f.Close() }, nil
}
