package cache

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/atomicfile"
)

// maxSources bounds the blob-source table per registry; past it, the table
// starts over, which only costs a few uploads that could have been mounts.
const maxSources = 20000

// Sources remembers, per registry, a repository that holds each blob hoist
// pushed, for cross-repository mounts. It is a hint: a stale entry only
// makes the registry refuse the mount, and the blob is uploaded instead.
type Sources struct {
	path string
	mu   sync.Mutex
	m    map[string]map[string]string // registry → digest → repository
}

// Sources loads the table kept in the cache directory.
func (c *Cache) Sources() *Sources {
	s := &Sources{path: filepath.Join(c.dir, "blob-sources.json"), m: map[string]map[string]string{}}
	if data, err := os.ReadFile(s.path); err == nil {
		json.Unmarshal(data, &s.m) // a garbled table is an empty one
	}
	return s
}

// Lookup returns a repository of registry that holds digest.
func (s *Sources) Lookup(registry string, digest v1.Hash) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, ok := s.m[registry][digest.String()]
	return repo, ok
}

// Record notes that repo now holds the digests and saves the table by
// rename, so concurrent runs never read half a file (one may drop the
// other's entries, which only costs mounts).
func (s *Sources) Record(registry, repo string, digests []v1.Hash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[registry] == nil || len(s.m[registry]) > maxSources {
		s.m[registry] = map[string]string{}
	}
	for _, d := range digests {
		s.m[registry][d.String()] = repo
	}
	if data, err := json.Marshal(s.m); err == nil {
		atomicfile.Write(s.path, data, 0o644) // a lost table only costs mounts
	}
}
