package pipeline

import (
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
)

// A snapshot lets an unchanged rebuild skip the Go toolchain: go list, go
// build and hashing, which are most of a no-op's time. It records, per
// package argument, the resolved package, the stat stamps of every input
// file and directory (see inputPaths) and, per world key (invocation plus
// VCS state), the digest of the binary the toolchain produced from exactly
// those inputs. While every stamp still matches (size, mtime, ctime, inode:
// an edit, a new file in a package directory, a checkout all change one;
// ctime cannot be set back), the recorded digests stand. Anything the
// stamps cannot vouch for makes the toolchain decide.
type snapshot struct {
	Package  build.Package     `json:"package"`
	Stamps   map[string]stamp  `json:"stamps"`
	Binaries map[string]string `json:"binaries"` // world key → binary sha256

	name  string
	valid bool
	// packageValid: no directory, go.mod or go.sum changed, so the package
	// the argument names is the one recorded, though files may have been
	// edited (whose package clause the build then checks; see verifyMain).
	packageValid bool
	// fresh are the current stamps of the paths found changed: a build
	// that starts within the clock margin of one of them cannot be
	// recorded, so it need not list its inputs.
	fresh   []stamp
	changed bool
	mu      sync.Mutex
}

const (
	snapshotFormat = "hoist-snapshot-3"
	// maxBinaries bounds the digests kept per snapshot (one per commit or
	// tag seen with unchanged files).
	maxBinaries = 64
)

func loadSnapshot(c *cache.Cache, name string) *snapshot {
	s := &snapshot{name: name}
	if c == nil || !ctimeKnown || !c.ReadJSON(s.name, s) || len(s.Stamps) == 0 {
		return s
	}
	s.valid, s.packageValid = true, true
	for path, want := range s.Stamps {
		if now := stampOf(path); now != want {
			s.valid = false
			s.fresh = append(s.fresh, now)
			if want.Dir || want.Missing || filepath.Base(path) == "go.mod" || filepath.Base(path) == "go.sum" {
				s.packageValid = false
				break
			}
		}
	}
	return s
}

// binary returns the digest recorded for a world key, if still valid.
func (s *snapshot) binary(world string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.Binaries[world]
	return d, ok && s.valid
}

// record adds the digest of a binary built from inputs whose stamps were
// taken after the build. The first record into an invalid snapshot drops
// everything it held.
func (s *snapshot) record(world, digest string, stamps map[string]stamp) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.valid || s.Binaries == nil || len(s.Binaries) >= maxBinaries {
		s.Stamps, s.Binaries, s.valid = map[string]stamp{}, map[string]string{}, true
	}
	for p, st := range stamps {
		if old, ok := s.Stamps[p]; ok && old != st {
			// Another platform saw this file differently: neither holds.
			s.Stamps, s.Binaries = map[string]stamp{}, map[string]string{}
			s.valid, s.changed = false, true
			return
		}
		s.Stamps[p] = st
	}
	s.Binaries[world] = digest
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

// stampAll stamps paths and reports whether the stamps can vouch for the
// build that started at start: a path changed since then (by mtime or
// ctime, with a margin for the file system's clock granularity) may or may
// not have been seen by the compiler.
func stampAll(paths []string, start time.Time) (map[string]stamp, bool) {
	stamps := make(map[string]stamp, len(paths))
	all := make([]stamp, 0, len(paths))
	for _, p := range paths {
		stamps[p] = stampOf(p)
		all = append(all, stamps[p])
	}
	if racy(all, start) {
		return nil, false
	}
	return stamps, true
}

// unrecordable tells that a build starting at start cannot be recorded:
// a file it reads was saved within the clock margin (as in the watch loop,
// which builds right after a save), so listing its inputs is wasted work.
func (s *snapshot) unrecordable(start time.Time) bool {
	return racy(s.fresh, start)
}

// racy reports whether a stamp is too close to start to tell whether the
// compiler saw the change.
func racy(stamps []stamp, start time.Time) bool {
	fine := false
	for _, st := range stamps {
		fine = fine || st.Mtime%1e9 != 0 || st.Ctime%1e9 != 0
	}
	// Coarse time stamps (whole seconds on some file systems) need a
	// margin as wide as their step; fine ones only the kernel's clock tick.
	margin := 2 * time.Second
	if fine {
		margin = 100 * time.Millisecond
	}
	since := start.Add(-margin).UnixNano()
	for _, st := range stamps {
		if !st.Missing && (st.Mtime >= since || st.Ctime >= since) {
			return true
		}
	}
	return false
}

// stampOf is a file's or directory's identity for change detection; a
// missing file has a stamp of its own, so its creation is a change.
func stampOf(path string) stamp {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{Missing: true}
	}
	st := stamp{Size: fi.Size(), Mtime: fi.ModTime().UnixNano(), Dir: fi.IsDir()}
	fillSys(&st, fi)
	return st
}
