package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/hoist-build/hoist/internal/dirlock"
)

// Cache is a directory of three stores: entries/ holds verified entries,
// one subdirectory per key; outputs/ holds stable output directories that
// tools update in place (go build skips relinking a binary that is already
// up to date there); records/ holds small JSON records. Eviction counts
// entries and outputs, never the records.
type Cache struct {
	dir      string
	maxBytes int64
	logger   *slog.Logger
}

// DefaultMaxBytes bounds the cache when the caller sets no limit.
const DefaultMaxBytes = 2 << 30

// Open creates the cache directory if needed.
func Open(dir string, maxBytes int64, logger *slog.Logger) (*Cache, error) {
	for _, store := range []string{entriesDir, outputsDir} {
		if err := os.MkdirAll(filepath.Join(dir, store), 0o755); err != nil {
			return nil, fmt.Errorf("opening cache %s: %w", dir, err)
		}
	}
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Cache{dir: dir, maxBytes: maxBytes, logger: logger}, nil
}

// Key hashes the parts into an entry name. Parts are length-prefixed so that
// ("ab","c") and ("a","bc") differ.
func Key(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// meta records, per file of an entry, the sha256 it must have, plus the
// caller's own metadata.
type meta struct {
	Files map[string]string `json:"files"`
	Data  json.RawMessage   `json:"data"`
}

const (
	metaFile   = "meta.json"
	entriesDir = "entries"
	outputsDir = "outputs"
)

// Entry is a verified cache entry.
type Entry struct {
	dir string
}

// Path returns the path of one of the entry's files.
func (e *Entry) Path(name string) string { return filepath.Join(e.dir, name) }

// Get returns the entry for key after checking every file's digest, and
// decodes its metadata into data. A missing entry is (nil, nil); a corrupt
// one is removed and reported as missing, so the caller rebuilds it.
func (c *Cache) Get(key string, data any) (*Entry, error) {
	dir := filepath.Join(c.dir, entriesDir, key)
	raw, err := os.ReadFile(filepath.Join(dir, metaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err == nil {
		err = c.verify(dir, raw, data)
	}
	if err != nil {
		c.logger.Warn("dropping corrupt cache entry", "key", key, "reason", err)
		c.remove(dir)
		return nil, nil
	}
	now := time.Now()
	_ = os.Chtimes(dir, now, now) // LRU clock; a failure only ages the entry
	return &Entry{dir: dir}, nil
}

func (c *Cache) verify(dir string, raw []byte, data any) error {
	var m meta
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("reading %s: %w", metaFile, err)
	}
	for name, want := range m.Files {
		got, err := FileSHA256(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if got != want {
			return fmt.Errorf("%s has digest %s, recorded %s", name, got, want)
		}
	}
	if err := json.Unmarshal(m.Data, data); err != nil {
		return fmt.Errorf("decoding entry data: %w", err)
	}
	return nil
}

// FileSHA256 is the hex sha256 of a file's contents.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// File is one file of an entry: its name in the entry, the path it is
// linked or copied from, and its sha256 in hex when the caller already
// knows it (a layer blob's digest), which saves reading it again.
type File struct {
	Name, Path, SHA256 string
}

// Put stores files with data under key. It builds the entry in a temporary
// directory and renames it into place, so readers never see half an entry;
// when another run stored the same key first, that entry is kept.
func (c *Cache) Put(key string, files []File, data any) error {
	tmp, err := os.MkdirTemp(filepath.Join(c.dir, entriesDir), ".tmp-")
	if err != nil {
		return fmt.Errorf("caching %s: %w", key, err)
	}
	defer os.RemoveAll(tmp)
	m := meta{Files: map[string]string{}}
	for _, f := range files {
		dst := filepath.Join(tmp, f.Name)
		if err := LinkOrCopy(f.Path, dst); err != nil {
			return fmt.Errorf("caching %s: %w", f.Name, err)
		}
		m.Files[f.Name] = f.SHA256
		if f.SHA256 == "" {
			if m.Files[f.Name], err = FileSHA256(dst); err != nil {
				return fmt.Errorf("caching %s: %w", f.Name, err)
			}
		}
	}
	if m.Data, err = json.Marshal(data); err != nil {
		return fmt.Errorf("caching %s: %w", key, err)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, metaFile), raw, 0o644); err != nil {
		return fmt.Errorf("caching %s: %w", key, err)
	}
	dst := filepath.Join(c.dir, entriesDir, key)
	if err := os.Rename(tmp, dst); err != nil {
		if _, statErr := os.Stat(filepath.Join(dst, metaFile)); statErr == nil {
			return nil
		}
		return fmt.Errorf("caching %s: %w", key, err)
	}
	return c.evict()
}

// LinkOrCopy hard-links src into the cache when both are on one file
// system, which costs nothing for a 50 MB binary, and copies otherwise.
func LinkOrCopy(src, dst string) error {
	if err := os.Link(src, dst); err == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// Output returns the stable output directory for key, creating it, marking
// it used and locking it against other processes until unlock: a tool
// rewriting a file there may do so in place, and a concurrent reader must
// not see half of it. Unlike an entry it is not verified: whatever writes
// there must check what it finds (go build compares build IDs).
func (c *Cache) Output(key string) (dir string, unlock func(), err error) {
	dir = filepath.Join(c.dir, outputsDir, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("creating cache output %s: %w", key, err)
	}
	if unlock, err = dirlock.Lock(dir); err != nil {
		return "", nil, fmt.Errorf("locking cache output %s: %w", key, err)
	}
	now := time.Now()
	_ = os.Chtimes(dir, now, now)
	return dir, unlock, nil
}

// evict removes least recently used entries and outputs until the cache
// fits maxBytes.
func (c *Cache) evict() error {
	type entry struct {
		dir  string
		size int64
		used time.Time
	}
	var entries []entry
	var total int64
	for _, store := range []string{entriesDir, outputsDir} {
		des, err := os.ReadDir(filepath.Join(c.dir, store))
		if err != nil {
			return err
		}
		for _, de := range des {
			if !de.IsDir() || de.Name()[0] == '.' {
				continue
			}
			dir := filepath.Join(c.dir, store, de.Name())
			fi, err := os.Stat(dir)
			if err != nil {
				continue
			}
			size := dirSize(dir)
			total += size
			entries = append(entries, entry{dir, size, fi.ModTime()})
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].used.Before(entries[j].used) })
	for _, e := range entries {
		if total <= c.maxBytes {
			break
		}
		c.logger.Debug("evicting cache entry", "dir", e.dir, "bytes", e.size)
		c.remove(e.dir)
		total -= e.size
	}
	return nil
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// remove renames before deleting so a concurrent Get never reads a
// half-deleted entry as valid.
func (c *Cache) remove(dir string) {
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".del-")
	if err != nil {
		os.RemoveAll(dir)
		return
	}
	if os.Rename(dir, filepath.Join(tmp, "x")) != nil {
		os.RemoveAll(dir)
	}
	os.RemoveAll(tmp)
}
