package layers

import (
	"archive/tar"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// AppDir is where the binary goes, as in ko, so images and tooling built
// for ko (and `ko://` manifests) find the same paths.
const AppDir = "/ko-app"

// KodataPath is where the package's kodata/ directory is placed (ko's
// convention); images set KO_DATA_PATH to it.
const KodataPath = "/var/run/ko"

// capNetBindService is the capability number of CAP_NET_BIND_SERVICE.
const capNetBindService = 10

// netBindCapability is the security.capability xattr value for
// cap_net_bind_service=+ep: a little-endian vfs_cap_data revision 2
// (magic 0x02000000 with the effective bit), then the permitted and
// inheritable words, low 32 bits first.
func netBindCapability() string {
	b := make([]byte, 20)
	binary.LittleEndian.PutUint32(b[0:], 0x02000000|0x1)
	binary.LittleEndian.PutUint32(b[4:], 1<<capNetBindService)
	return string(b)
}

// Binary is the entry of the application binary at AppDir/name. It is
// read-only (0555) and carries cap_net_bind_service=+ep so that a non-root
// user can still bind port 80 without any ambient capability or sysctl.
func Binary(src, name string) Entry {
	return BinaryWithCapability(src, name, netBindCapability())
}

// DefaultCapability is the xattr Binary sets: cap_net_bind_service=+ep.
func DefaultCapability() string { return netBindCapability() }

// BinaryWithCapability is Binary with the security.capability xattr value
// given (see FileCapability); "" sets none, as ko does when
// linux_capabilities leaves no capability.
func BinaryWithCapability(src, name, xattr string) Entry {
	e := Entry{Path: path.Join(AppDir, name), Type: tar.TypeReg, Mode: 0o555, Source: src}
	if xattr != "" {
		e.PAXRecords = map[string]string{"SCHILY.xattr.security.capability": xattr}
	}
	return e
}

// Kodata returns the entries for a kodata directory placed at KodataPath.
// The directory may itself be a symlink (kodata -> ../web/dist) as long as
// what it resolves to lies inside module, the module root: a repository must
// not be able to copy a host directory (a credentials folder) into the image.
// Symlinks inside are followed, as ko does, but only when they stay inside
// the resolved kodata root; devices, sockets and FIFOs are refused by name.
func Kodata(dir, module string) ([]Entry, error) {
	root, err := resolve(dir)
	if err != nil {
		return nil, fmt.Errorf("reading kodata %s: %w", dir, err)
	}
	mod, err := resolve(module)
	if err != nil {
		return nil, fmt.Errorf("reading kodata %s: module root: %w", dir, err)
	}
	if !within(mod, root) {
		return nil, fmt.Errorf("reading kodata %s: it resolves to %s, outside the module %s: keep static assets inside the module", dir, root, mod)
	}
	entries := []Entry{Dir(KodataPath, 0o755, 0, 0)}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		e, err := kodataEntry(root, p, filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading kodata %s: %w", dir, err)
	}
	return entries, nil
}

// resolve is the absolute path of p with every symlink resolved.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// within reports whether p is root or below it (both resolved and clean).
func within(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator)) || root == string(filepath.Separator)
}

func kodataEntry(root, p, rel string) (Entry, error) {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return Entry{}, err
	}
	if !within(root, target) {
		return Entry{}, fmt.Errorf("symlink %s points outside kodata (to %s): copy the file into kodata instead", rel, target)
	}
	fi, err := os.Stat(target)
	if err != nil {
		return Entry{}, err
	}
	dst := path.Join(KodataPath, rel)
	if fi.IsDir() {
		if target != p {
			return Entry{}, fmt.Errorf("symlink %s points to a directory: only file symlinks are followed", rel)
		}
		return Dir(dst, 0o755, 0, 0), nil
	}
	if !fi.Mode().IsRegular() {
		return Entry{}, fmt.Errorf("%s is a %s, not a regular file: remove it from kodata", rel, fileKind(fi.Mode()))
	}
	// Owners and times are dropped and modes reduced to read (and execute)
	// for everyone, so a checkout's umask never changes the digest.
	mode := int64(0o444)
	if fi.Mode()&0o111 != 0 {
		mode = 0o555
	}
	return Entry{Path: dst, Type: tar.TypeReg, Mode: mode, Source: target}, nil
}

// fileKind names a non-regular file type for an error message.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeCharDevice != 0:
		return "character device"
	case m&fs.ModeDevice != 0:
		return "block device"
	}
	return "special file"
}
