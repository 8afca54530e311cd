package pipeline

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/publish"
)

// bases hands out the base image per platform. The distroless layers are
// platform-independent and written once per run; pulled bases are fetched
// once per platform however many packages use them.
type bases struct {
	opts      Options
	toolchain build.Toolchain
	layers    []assemble.Layer

	mu     sync.Mutex
	pulled map[string]v1.Image
}

func newBases(ctx context.Context, opts Options, tc build.Toolchain) (*bases, error) {
	b := &bases{opts: opts, toolchain: tc, pulled: map[string]v1.Image{}}
	if opts.Base != BaseDistroless && opts.Base != "" {
		return b, nil
	}
	zoneinfo, err := tc.Zoneinfo()
	if err != nil {
		return nil, err
	}
	if b.layers, err = distrolessLayers(ctx, opts, zoneinfo); err != nil {
		return nil, err
	}
	return b, nil
}

// baseFormat changes whenever hoist changes what the base layers hold.
const baseFormat = "hoist-distroless-1"

// distrolessLayers writes the base layers, or takes them from the cache:
// they depend only on hoist's own files, the toolchain's tzdata and the
// layer settings, and compressing tzdata and the CA bundle is most of
// what is left of a no-op rebuild once go is not run.
func distrolessLayers(ctx context.Context, opts Options, zoneinfo []byte) ([]assemble.Layer, error) {
	lopts := layers.Options{Time: opts.Created, Compression: opts.Compression}
	if opts.Cache == nil {
		return assemble.DistrolessLayers(ctx, zoneinfo, lopts)
	}
	key := cache.Key(baseFormat, layerFormat, string(opts.Compression), opts.Created.UTC().String(),
		fmt.Sprintf("%x", sha256.Sum256(zoneinfo)), fmt.Sprintf("%x", sha256.Sum256(layers.CACerts()[0].Data)))
	var cached []baseEntry
	if e, _ := opts.Cache.Get(key, &cached); e != nil && len(cached) > 0 {
		out := make([]assemble.Layer, len(cached))
		for i, c := range cached {
			out[i] = assemble.Layer{Layer: layers.FromBlob(e.Path(fmt.Sprint(i)), c.Descriptor), History: c.History}
		}
		return out, nil
	}
	lopts.Dir = opts.WorkDir
	ls, err := assemble.DistrolessLayers(ctx, zoneinfo, lopts)
	if err != nil {
		return nil, err
	}
	entries, files := make([]baseEntry, len(ls)), make([]cache.File, len(ls))
	for i, l := range ls {
		d, _ := layers.Describe(l.Layer)
		entries[i] = baseEntry{Descriptor: d, History: l.History}
		files[i] = cache.File{Name: fmt.Sprint(i), Path: layers.Path(l.Layer), SHA256: d.Digest.Hex}
	}
	if err := opts.Cache.Put(key, files, entries); err != nil {
		opts.Logger.Warn("not caching the base layers", "error", err)
	}
	return ls, nil
}

// baseEntry is what the cache keeps of a base layer besides its blob.
type baseEntry struct {
	Descriptor layers.Descriptor `json:"descriptor"`
	History    string            `json:"history"`
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
