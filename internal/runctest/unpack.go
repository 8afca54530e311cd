package runctest

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"golang.org/x/sys/unix"
)

// xattrPrefix marks PAX records that carry extended attributes; it is how
// file capabilities (security.capability) travel inside image layers.
const xattrPrefix = "SCHILY.xattr."

// maxSymlinks bounds symlink resolution so a loop in the image cannot hang
// Unpack; it matches the kernel's MAXSYMLINKS order of magnitude.
const maxSymlinks = 40

// Unpack flattens img into rootfs the way a container runtime would,
// preserving modes, numeric ownership, links and extended attributes. Every
// path, including symlinks met on the way, is resolved with rootfs as "/",
// and entries whose names climb out of it are refused.
func Unpack(ctx context.Context, img v1.Image, rootfs string) error {
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		return fmt.Errorf("creating rootfs: %w", err)
	}
	rc := mutate.Extract(img)
	defer rc.Close()

	// mutate.Extract emits upper layers first, so a hardlink may precede its
	// target; links are made once every regular file exists.
	var links []*tar.Header
	tr := tar.NewReader(rc)
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("unpacking image: %w", err)
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading flattened image: %w", err)
		}
		if hdr.Typeflag == tar.TypeLink {
			links = append(links, hdr)
			continue
		}
		if err := unpackEntry(rootfs, hdr, tr); err != nil {
			return fmt.Errorf("unpacking %s: %w", hdr.Name, err)
		}
	}
	for _, hdr := range links {
		if err := unpackHardlink(rootfs, hdr); err != nil {
			return fmt.Errorf("unpacking %s: %w", hdr.Name, err)
		}
	}
	return nil
}

func unpackEntry(rootfs string, hdr *tar.Header, r io.Reader) error {
	target, err := resolveInRoot(rootfs, hdr.Name)
	if err != nil || target == rootfs {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("creating parent: %w", err)
	}
	mode := hdr.FileInfo().Mode()
	switch hdr.Typeflag {
	case tar.TypeDir:
		if fi, err := os.Lstat(target); err == nil && fi.IsDir() {
			break
		}
		if err := replace(target, func() error { return os.Mkdir(target, 0o700) }); err != nil {
			return err
		}
	case tar.TypeReg:
		if err := replace(target, func() error { return writeFile(target, r) }); err != nil {
			return err
		}
	case tar.TypeSymlink:
		if err := replace(target, func() error { return os.Symlink(hdr.Linkname, target) }); err != nil {
			return err
		}
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		dev := int(unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor)))
		kind := map[byte]uint32{tar.TypeChar: unix.S_IFCHR, tar.TypeBlock: unix.S_IFBLK, tar.TypeFifo: unix.S_IFIFO}[hdr.Typeflag]
		if err := replace(target, func() error { return unix.Mknod(target, kind|0o600, dev) }); err != nil {
			return err
		}
	default:
		// Global headers and vendor types carry nothing a container sees.
		return nil
	}
	return applyMetadata(target, hdr, mode)
}

// applyMetadata runs chown before chmod and setxattr because the kernel
// clears setuid bits and security.capability whenever a file changes owner.
func applyMetadata(target string, hdr *tar.Header, mode fs.FileMode) error {
	if err := os.Lchown(target, hdr.Uid, hdr.Gid); err != nil {
		return fmt.Errorf("changing owner: %w", err)
	}
	if hdr.Typeflag != tar.TypeSymlink {
		if err := os.Chmod(target, mode); err != nil {
			return fmt.Errorf("changing mode: %w", err)
		}
	}
	for key, value := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(key, xattrPrefix)
		if !ok {
			continue
		}
		if err := unix.Lsetxattr(target, name, []byte(value), 0); err != nil {
			return fmt.Errorf("setting xattr %s: %w", name, err)
		}
	}
	return nil
}

func unpackHardlink(rootfs string, hdr *tar.Header) error {
	target, err := resolveInRoot(rootfs, hdr.Name)
	if err != nil {
		return err
	}
	source, err := resolveInRoot(rootfs, hdr.Linkname)
	if err != nil {
		return fmt.Errorf("resolving link target: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("creating parent: %w", err)
	}
	return replace(target, func() error { return os.Link(source, target) })
}

// replace removes whatever a lower layer left at target before create runs,
// since every create call here refuses to overwrite.
func replace(target string, create func() error) error {
	if err := os.RemoveAll(target); err != nil {
		return fmt.Errorf("removing previous entry: %w", err)
	}
	return create()
}

func writeFile(target string, r io.Reader) error {
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return fmt.Errorf("writing contents: %w", err)
	}
	return f.Close()
}

// resolveInRoot maps an archive name to a host path under rootfs. Symlinks in
// the parent components are followed as the container would see them, with
// rootfs as "/", so a link such as /var/run -> /run works while one pointing
// at the host's / cannot leak writes outside. The last component is never
// followed because it is the entry being created.
func resolveInRoot(rootfs, name string) (string, error) {
	rel := strings.TrimPrefix(path.Clean("/"+strings.TrimLeft(name, "/")), "/")
	if !filepath.IsLocal(strings.TrimLeft(name, "/")) && rel != "" {
		return "", fmt.Errorf("refusing path %q escaping the rootfs", name)
	}
	resolved := "/"
	pending := strings.Split(rel, "/")
	for hops := 0; len(pending) > 0; {
		comp := pending[0]
		pending = pending[1:]
		if comp == "" {
			continue
		}
		next := path.Join(resolved, comp)
		if len(pending) == 0 {
			resolved = next
			break
		}
		host := filepath.Join(rootfs, filepath.FromSlash(next))
		fi, err := os.Lstat(host)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > maxSymlinks {
			return "", fmt.Errorf("resolving %q: too many symlinks", name)
		}
		link, err := os.Readlink(host)
		if err != nil {
			return "", fmt.Errorf("resolving %q: %w", name, err)
		}
		if !path.IsAbs(link) {
			link = path.Join(resolved, link)
		}
		resolved = "/"
		pending = append(strings.Split(path.Clean(link), "/"), pending...)
	}
	return filepath.Join(rootfs, filepath.FromSlash(resolved)), nil
}
