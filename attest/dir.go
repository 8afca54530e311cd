package attest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
)

// WriteDir writes each document to dir under its FileName (creating dir)
// and returns the paths, in docs' order. Documents sharing a name, such as
// the one provenance statement attached to every manifest of an index, are
// written once. Each file is renamed into place, so a reader never sees a
// half-written document.
func WriteDir(dir string, docs []Document) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating SBOM directory: %w", err)
	}
	written := map[string][]byte{}
	paths := make([]string, len(docs))
	for i, d := range docs {
		if d.FileName == "" || filepath.Base(d.FileName) != d.FileName {
			return nil, fmt.Errorf("writing %s document: invalid file name %q", d.Kind, d.FileName)
		}
		path := filepath.Join(dir, d.FileName)
		paths[i] = path
		if prev, ok := written[path]; ok {
			if !bytes.Equal(prev, d.Data) {
				return nil, fmt.Errorf("writing %s: two different documents share the name", path)
			}
			continue
		}
		if err := writeFile(path, d.Data); err != nil {
			return nil, err
		}
		written[path] = d.Data
	}
	return paths, nil
}

func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hoist-*.json")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
