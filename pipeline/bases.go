package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/publish"
)

// bases hands out the base image per platform. The distroless layers are
// platform-independent and written once per run; pulled bases are fetched
// once per platform however many packages use them.
type bases struct {
	opts      Options
	toolchain toolchain
	layers    []assemble.Layer

	mu     sync.Mutex
	pulled map[string]v1.Image
}

func newBases(ctx context.Context, opts Options) (*bases, error) {
	tc, err := goEnv(ctx, opts.Dir, opts.Environ)
	if err != nil {
		return nil, err
	}
	b := &bases{opts: opts, toolchain: tc, pulled: map[string]v1.Image{}}
	if opts.Base != BaseDistroless && opts.Base != "" {
		return b, nil
	}
	zoneinfo, err := os.ReadFile(filepath.Join(tc.goroot, "lib", "time", "zoneinfo.zip"))
	if err != nil {
		return nil, fmt.Errorf("reading tzdata from the Go toolchain: %w", err)
	}
	b.layers, err = assemble.DistrolessLayers(ctx, zoneinfo, layers.Options{Time: opts.Created, Compression: opts.Compression})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (b *bases) image(ctx context.Context, p v1.Platform) (v1.Image, error) {
	switch b.opts.Base {
	case "", BaseDistroless:
		return assemble.Distroless(p, b.layers)
	case BaseScratch:
		return assemble.Scratch(p)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if img, ok := b.pulled[p.String()]; ok {
		return img, nil
	}
	img, err := publish.Pull(ctx, b.opts.Base, p, b.opts.Remote)
	if err != nil {
		return nil, err
	}
	b.pulled[p.String()] = img
	return img, nil
}

// pulledDigest is the digest of a pulled base (of any platform pulled), for
// the SBOM; "" when none was pulled.
func (b *bases) pulledDigest() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, img := range b.pulled {
		if d, err := img.Digest(); err == nil {
			return d.String()
		}
	}
	return ""
}
