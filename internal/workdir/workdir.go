package workdir

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"
)

const (
	// Prefix names work directories in the temp dir.
	Prefix = "hoist-work-"
	// lockName is the lock file in each; it holds the owner's pid.
	lockName = ".lock"
	// minAge leaves a just-created directory alone until its run has had
	// time to take the lock.
	minAge = 2 * time.Minute
	// legacyAge is how old a directory from a hoist without lock files
	// (hoist-<digits>) must be before it is taken for abandoned: such a run
	// may still be alive, and its directory changes only when it builds.
	legacyAge = 6 * time.Hour
)

// legacy matches the names os.MkdirTemp("", "hoist-") gave work directories
// before they had locks, and nothing else hoist or its tests create.
var legacy = regexp.MustCompile(`^hoist-[0-9]+$`)

// New sweeps stale work directories from the temp dir, then creates and
// locks a new one. The caller runs release when done, which removes it.
func New(log *slog.Logger) (dir string, release func(), err error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	Sweep(os.TempDir(), log)
	dir, err = os.MkdirTemp("", Prefix+"*")
	if err != nil {
		return "", nil, fmt.Errorf("creating work directory: %w", err)
	}
	unlock, err := lock(filepath.Join(dir, lockName))
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, fmt.Errorf("locking work directory %s: %w", dir, err)
	}
	return dir, func() {
		unlock()
		os.RemoveAll(dir)
	}, nil
}

// Sweep removes from tmp the work directories of runs that are gone: ours
// whose lock is free, and legacy ones over six hours old. It never fails the
// run; what it cannot remove it logs at debug level.
func Sweep(tmp string, log *slog.Logger) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	now := time.Now()
	for _, e := range entries {
		name := e.Name()
		isOurs := len(name) > len(Prefix) && name[:len(Prefix)] == Prefix
		if !e.IsDir() || !isOurs && !legacy.MatchString(name) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		age := now.Sub(fi.ModTime())
		dir := filepath.Join(tmp, name)
		if isOurs && (age < minAge || !abandoned(filepath.Join(dir, lockName))) || !isOurs && age < legacyAge {
			continue
		}
		if err := os.RemoveAll(dir); err != nil {
			log.Debug("could not remove a stale work directory", "dir", dir, "error", err)
			continue
		}
		log.Debug("removed the work directory of a run that is gone", "dir", dir)
	}
}

// abandoned reports whether nobody holds the lock at path. A directory
// without a lock file lost its run before it could lock it.
func abandoned(path string) bool {
	unlock, err := tryLock(path)
	if err != nil {
		return os.IsNotExist(err)
	}
	unlock()
	return true
}

func pidLine() []byte { return []byte(strconv.Itoa(os.Getpid()) + "\n") }
