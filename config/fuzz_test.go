package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to both loaders: they must never panic,
// and every error must be one line naming the file.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"repo: a\nport: 80\n", "builds:\n- id: a\n  main: ./a\n  flags: -v\n", "tag: [a, b]\n",
		"port: eighty\n", "a: b\n---\nc: d\n", "{", "- x\n", "builds: {a: 1}\n", "ldflags: [1, 2]\n",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, load := range []func(string) error{
			func(p string) error { _, err := LoadHoist(p); return err },
			func(p string) error { _, err := LoadKo(p); return err },
		} {
			err := load(path)
			if err == nil {
				continue
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
				t.Errorf("error is not one line naming the file: %q", msg)
			}
		}
	})
}
