package cache

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/hoist-build/hoist/internal/atomicfile"
)

// ReadJSON decodes the small record name (see WriteJSON); false when it is
// missing or unreadable, which callers treat as "nothing known".
func (c *Cache) ReadJSON(name string, v any) bool {
	data, err := os.ReadFile(filepath.Join(c.dir, "records", name+".json"))
	return err == nil && json.Unmarshal(data, v) == nil
}

// WriteJSON stores a small record by rename, so a reader sees the old
// record or the new one, never half of one.
func (c *Cache) WriteJSON(name string, v any) error {
	dir := filepath.Join(c.dir, "records")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, name+".json"), data, 0o644)
}
