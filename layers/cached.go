package layers

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hoist-build/hoist/cache"
)

// cached is a cache entry's metadata: the blobs' descriptors, in order, and
// what the caller keeps beside them.
type cached struct {
	Layers []Descriptor    `json:"layers"`
	Meta   json.RawMessage `json:"meta,omitempty"`
}

func blobName(i int) string { return fmt.Sprint("layer-", i) }

// GetCached returns the blobs stored under key by PutCached, after the cache
// checked their digests, and decodes the caller's metadata into meta (when
// not nil). The entry gives the paths of the other files stored with them.
// A miss, including an entry of another shape, is (nil, nil).
func GetCached(c *cache.Cache, key string, meta any) ([]*Blob, *cache.Entry) {
	var m cached
	e, _ := c.Get(key, &m)
	if e == nil || len(m.Layers) == 0 {
		return nil, nil
	}
	if meta != nil && json.Unmarshal(m.Meta, meta) != nil {
		return nil, nil
	}
	out := make([]*Blob, len(m.Layers))
	for i, d := range m.Layers {
		out[i] = FromBlob(e.Path(blobName(i)), d)
	}
	return out, e
}

// PutCached stores blobs, which must be files (New with Options.Dir), under
// key with the other files and the caller's metadata.
func PutCached(c *cache.Cache, key string, blobs []*Blob, files []cache.File, meta any) error {
	m, files := cached{Layers: make([]Descriptor, len(blobs))}, slices.Clip(files)
	for i, b := range blobs {
		if b.path == "" {
			return fmt.Errorf("caching layer %d: it is in memory, not a file", i)
		}
		m.Layers[i] = b.desc
		files = append(files, cache.File{Name: blobName(i), Path: b.path, SHA256: b.desc.Digest.Hex})
	}
	if meta != nil {
		raw, err := json.Marshal(meta)
		if err != nil {
			return fmt.Errorf("caching layers: %w", err)
		}
		m.Meta = raw
	}
	return c.Put(key, files, m)
}
