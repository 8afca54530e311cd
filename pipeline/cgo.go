package pipeline

import (
	"archive/tar"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/hoist-build/hoist/base"
)

// interpreter returns the ELF program interpreter (PT_INTERP) of a binary:
// the dynamic loader a cgo build needs, "" for a static binary.
func interpreter(bin string) (string, error) {
	f, err := elf.Open(bin)
	if err != nil {
		return "", nil // not ELF: nothing hoist can check
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(p.Open(), 4096))
		if err != nil {
			return "", fmt.Errorf("reading the interpreter of %s: %w", bin, err)
		}
		return strings.TrimRight(string(b), "\x00"), nil
	}
	return "", nil
}

// checkInterpreter refuses a dynamically linked binary (cgo) on a base that
// lacks its dynamic loader: the image would fail at start with a bare "no
// such file or directory". The synthesized bases hold no libc at all; a
// pulled base is searched (only then, as it costs reading its layers).
func checkInterpreter(ctx context.Context, bin string, img v1.Image, b base.Base, pkg string) error {
	interp, err := interpreter(bin)
	if err != nil || interp == "" {
		return err
	}
	if b.Pulled() {
		found, err := hasFile(ctx, img, interp)
		if err != nil {
			return fmt.Errorf("looking for %s in base %s: %w", interp, b.Name(), err)
		}
		if found {
			return nil
		}
	}
	return fmt.Errorf("%s is dynamically linked (cgo, loader %s) but base %s has no %s: build it static with CGO_ENABLED=0, or use a base with libc (--base or defaultBaseImage)",
		pkg, interp, b.Name(), interp)
}

// hasFile reports whether the flattened image holds path (as any entry,
// a symlink included: loaders usually are symlinks).
func hasFile(ctx context.Context, img v1.Image, path string) (bool, error) {
	rc := mutate.Extract(img)
	defer rc.Close()
	want := strings.TrimPrefix(path, "/")
	tr := tar.NewReader(rc)
	for {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if strings.TrimPrefix(strings.TrimPrefix(h.Name, "./"), "/") == want {
			return true, nil
		}
	}
}
