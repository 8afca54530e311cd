//go:build !unix

package workdir

import (
	"errors"
	"os"
)

// Without flock a live run cannot be told from a dead one: lock only
// writes the pid, and tryLock reports every lock as held.
func lock(path string) (func(), error) {
	if err := os.WriteFile(path, pidLine(), 0o600); err != nil {
		return nil, err
	}
	return func() {}, nil
}

func tryLock(string) (func(), error) { return nil, errors.New("locks are not supported here") }
