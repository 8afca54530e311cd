package hoisttest

import (
	"os"
	"path/filepath"
	"testing"
)

// WriteFiles writes files (slash-separated path under dir → contents) with
// mode 0644, creating the directories they need, as a test's module or
// manifest tree.
func WriteFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// Module writes a module named path, with no dependencies (so building it
// never touches the network), and files into a new temporary directory,
// and returns that directory.
func Module(t testing.TB, path string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	WriteFiles(t, dir, map[string]string{"go.mod": "module " + path + "\n\ngo 1.26\n"})
	WriteFiles(t, dir, files)
	return dir
}
