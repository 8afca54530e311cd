package layers

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"
	"time"
)

// Entry is one file, directory or symlink of a layer. Paths are absolute
// inside the image ("/etc/passwd").
type Entry struct {
	Path     string
	Type     byte // tar.TypeReg, tar.TypeDir or tar.TypeSymlink
	Mode     int64
	UID, GID int
	Linkname string
	// Data holds small file contents; Source names a file on disk that is
	// streamed instead, so large binaries are never held in memory.
	Data   []byte
	Source string
	// PAXRecords carries extended attributes such as file capabilities.
	PAXRecords map[string]string
}

// Dir returns a directory entry.
func Dir(p string, mode int64, uid, gid int) Entry {
	return Entry{Path: p, Type: tar.TypeDir, Mode: mode, UID: uid, GID: gid}
}

// File returns a root-owned regular file entry with in-memory contents.
func File(p string, mode int64, data []byte) Entry {
	return Entry{Path: p, Type: tar.TypeReg, Mode: mode, Data: data}
}

// normalize sorts entries, cleans their paths and adds missing parent
// directories (root-owned, 0755) so that every unpacker creates the same tree
// with the same modes, whatever order the caller produced.
func normalize(entries []Entry) ([]Entry, error) {
	seen := map[string]bool{}
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if !path.IsAbs(e.Path) {
			return nil, fmt.Errorf("adding %q: layer paths must be absolute", e.Path)
		}
		e.Path = path.Clean(e.Path)
		if e.Path == "/" {
			continue
		}
		if seen[e.Path] {
			return nil, fmt.Errorf("adding %q: path appears twice in one layer", e.Path)
		}
		seen[e.Path] = true
		out = append(out, e)
	}
	for _, e := range out {
		for dir := path.Dir(e.Path); dir != "/"; dir = path.Dir(dir) {
			if !seen[dir] {
				seen[dir] = true
				out = append(out, Dir(dir, 0o755, 0, 0))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// writeTar writes the entries in order with every time set to mtime and no
// user or group names, the fields that otherwise leak the build machine.
func writeTar(w io.Writer, entries []Entry, mtime time.Time) error {
	tw := tar.NewWriter(w)
	for _, e := range entries {
		if err := writeEntry(tw, e, mtime); err != nil {
			return fmt.Errorf("writing %s: %w", e.Path, err)
		}
	}
	return tw.Close()
}

func writeEntry(tw *tar.Writer, e Entry, mtime time.Time) error {
	hdr := &tar.Header{
		Typeflag:   e.Type,
		Name:       strings.TrimPrefix(e.Path, "/"),
		Linkname:   e.Linkname,
		Mode:       e.Mode,
		Uid:        e.UID,
		Gid:        e.GID,
		ModTime:    mtime,
		PAXRecords: e.PAXRecords,
	}
	if e.Type == tar.TypeDir {
		hdr.Name += "/"
	}
	if e.Type != tar.TypeReg {
		return tw.WriteHeader(hdr)
	}
	if e.Source == "" {
		hdr.Size = int64(len(e.Data))
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write(e.Data)
		return err
	}
	return writeSource(tw, hdr, e.Source)
}

func writeSource(tw *tar.Writer, hdr *tar.Header, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	hdr.Size = fi.Size()
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(tw, f)
	if err != nil {
		return err
	}
	if n != hdr.Size {
		return fmt.Errorf("file changed size while being read (%d of %d bytes)", n, hdr.Size)
	}
	return nil
}
