package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSameDigestFromTwoDirectories copies the module to two unrelated
// directories (different names and depths, different work dirs) and builds
// both: the digests must match, or something of the build machine leaked in.
func TestSameDigestFromTwoDirectories(t *testing.T) {
	root := repoRoot(t)
	var digests []string
	for _, rel := range []string{"a", "deeper/path/b"} {
		dir := filepath.Join(t.TempDir(), rel)
		copyModule(t, root, dir)
		lay := layoutAt(t, filepath.Join(t.TempDir(), "out"))
		res := run(t, options(t, dir, lay, "amd64", "arm64"))
		_, d, _ := strings.Cut(res.Ref, "@")
		digests = append(digests, d)
	}
	if digests[0] != digests[1] {
		t.Fatalf("digests differ between directories: %s vs %s", digests[0], digests[1])
	}
}

// copyModule copies what building ./app reads: go.mod, go.sum, .ko.yaml and
// the app package.
func copyModule(t *testing.T, from, to string) {
	t.Helper()
	for _, f := range []string{"go.mod", "go.sum", ".ko.yaml"} {
		copyFile(t, filepath.Join(from, f), filepath.Join(to, f))
	}
	err := filepath.WalkDir(filepath.Join(from, "app"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		copyFile(t, p, filepath.Join(to, rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
