package attest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hoist-build/hoist/internal/atomicfile"
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
		if err := atomicfile.Write(path, d.Data, 0o644); err != nil {
			return nil, err
		}
		written[path] = d.Data
	}
	return paths, nil
}
