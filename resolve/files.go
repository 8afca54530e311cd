package resolve

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// Stdin is the file argument that stands for standard input, as in kubectl.
const Stdin = "-"

// extensions are what a directory contributes; a file named explicitly is
// read whatever its name, since the user chose it.
var extensions = []string{".yaml", ".yml", ".json"}

// Files expands -f arguments into the files to read, in order, the way
// `kubectl apply -f` and `ko resolve -f` do: a file stands for itself, a
// directory for its *.yaml, *.yml and *.json files in lexical order (and,
// with recursive, those of its subdirectories), and Stdin is passed through
// for the caller to read. A directory with no such file is an error, because
// resolving nothing almost always means a wrong path or a missing -R.
func Files(args []string, recursive bool) ([]string, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("listing manifests: no file given: pass -f FILE, -f DIR or -f %s", Stdin)
	}
	var out []string
	for _, a := range args {
		if a == Stdin {
			out = append(out, a)
			continue
		}
		fi, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("listing manifests: %w", err)
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		found, err := dirFiles(a, recursive)
		if err != nil {
			return nil, fmt.Errorf("listing manifests in %s: %w", a, err)
		}
		if len(found) == 0 {
			hint := ""
			if !recursive {
				hint = " (-R also reads its subdirectories)"
			}
			return nil, fmt.Errorf("listing manifests: %s holds no .yaml, .yml or .json file%s", a, hint)
		}
		out = append(out, found...)
	}
	return out, nil
}

func dirFiles(dir string, recursive bool) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != dir && !recursive {
				return fs.SkipDir
			}
			return nil
		}
		if slices.Contains(extensions, filepath.Ext(p)) {
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// Concat joins YAML streams into one, each starting a new document, so that
// several files print as one stream a cluster client reads in order. Each
// stream's bytes are kept; only a missing final newline and a document
// marker between streams are added, and empty streams are dropped.
func Concat(streams ...[]byte) []byte {
	var out bytes.Buffer
	for _, s := range streams {
		if len(s) == 0 {
			continue
		}
		if out.Len() > 0 {
			if !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
				out.WriteByte('\n')
			}
			out.WriteString(separator(s))
		}
		out.Write(s)
	}
	return out.Bytes()
}

// separator starts the next stream's first document. A stream that opens
// with directives (%YAML, %TAG) needs the previous document explicitly
// ended instead, and one that opens with its own marker needs nothing.
func separator(next []byte) string {
	switch {
	case bytes.HasPrefix(next, []byte("%")):
		return "...\n"
	case bytes.HasPrefix(next, []byte("---")) && (len(next) == 3 || bytes.ContainsAny(next[3:4], " \t\r\n")):
		return ""
	}
	return "---\n"
}
