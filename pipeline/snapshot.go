package pipeline

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
)

// A snapshot lets an unchanged rebuild skip both `go list` runs (package
// lookup and the dependency listing behind the cache key), which are most
// of a no-op's time. It records, per package argument, the resolved package,
// the stat stamps of every main-module file and directory the key was
// computed from, and the binary key per go invocation. While every stamp
// still matches (size, mtime, ctime, inode: an edit, a new file in a
// package directory, a checkout all change one), the recorded keys stand.
type snapshot struct {
	Package build.Package     `json:"package"`
	Stamps  map[string]stamp  `json:"stamps"`
	Keys    map[string]string `json:"keys"` // invocation key → binary key

	name  string
	valid bool
	// packageValid: no directory, go.mod or go.sum changed, so the package
	// the argument names is the one recorded, though files may have been
	// edited (whose package clause the build then checks; see verifyMain).
	packageValid bool
	changed      bool
	mu           sync.Mutex
}

const snapshotFormat = "hoist-snapshot-2"

func loadSnapshot(c *cache.Cache, opts Options, arg string) *snapshot {
	parts := append([]string{snapshotFormat, opts.Dir, arg}, buildEnv(opts.Environ)...)
	s := &snapshot{name: cache.Key(parts...)}
	if c == nil || !c.ReadJSON(s.name, s) || len(s.Stamps) == 0 {
		return s
	}
	s.valid, s.packageValid = true, true
	for path, want := range s.Stamps {
		if got, ok := stampOf(path); !ok || got != want {
			s.valid = false
			if want.Dir || filepath.Base(path) == "go.mod" || filepath.Base(path) == "go.sum" {
				s.packageValid = false
				break
			}
		}
	}
	return s
}

// key returns the binary key recorded for an invocation, if still valid.
func (s *snapshot) key(invocation string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.Keys[invocation]
	return k, ok && s.valid
}

// record adds a freshly computed key and the stamps it rests on. The first
// record into an invalid snapshot drops everything it held.
func (s *snapshot) record(invocation, key string, stamps map[string]stamp) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.valid || s.Keys == nil {
		s.Stamps, s.Keys, s.valid = map[string]stamp{}, map[string]string{}, true
	}
	for p, st := range stamps {
		s.Stamps[p] = st
	}
	s.Keys[invocation] = key
	s.changed = true
}

func (s *snapshot) save(c *cache.Cache) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c == nil || !s.changed {
		return nil
	}
	return c.WriteJSON(s.name, s)
}

// stampOf is a file's or directory's identity for change detection.
func stampOf(path string) (stamp, bool) {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{}, false
	}
	st := stamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano(), Dir: fi.IsDir()}
	fillSys(&st, fi)
	return st, true
}
