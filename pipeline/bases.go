package pipeline

import (
	"context"
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/registry"
)

// bases hands out the base image per base reference and platform. The
// distroless layers are platform-independent and written once per run,
// when some package uses them; pulled bases are fetched once per platform
// however many packages use them.
type bases struct {
	opts      Options
	toolchain build.Toolchain
	// runCtx is the whole run's context: a pulled base reads its layers
	// lazily, when the image is published, long after the build's own
	// (cancelled) context is gone.
	runCtx context.Context

	distroOnce   sync.Once
	distroLayers []assemble.Layer
	distroErr    error

	mu        sync.Mutex
	pulled    map[string]v1.Image // by reference and platform
	platforms map[string][]v1.Platform
}

func newBases(ctx context.Context, opts Options, tc build.Toolchain) (*bases, error) {
	return &bases{opts: opts, toolchain: tc, runCtx: ctx, pulled: map[string]v1.Image{}, platforms: map[string][]v1.Platform{}}, nil
}

func (b *bases) distroless(ctx context.Context) ([]assemble.Layer, error) {
	b.distroOnce.Do(func() {
		zoneinfo, err := b.toolchain.Zoneinfo()
		if err != nil {
			b.distroErr = err
			return
		}
		b.distroLayers, b.distroErr = distrolessLayers(ctx, b.opts, zoneinfo)
	})
	return b.distroLayers, b.distroErr
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

func (b *bases) image(ctx context.Context, ref string, p v1.Platform) (v1.Image, error) {
	switch ref {
	case "", BaseDistroless:
		ls, err := b.distroless(ctx)
		if err != nil {
			return nil, err
		}
		return assemble.Distroless(p, ls)
	case BaseScratch:
		return assemble.Scratch(p)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	key := ref + "|" + p.String()
	if img, ok := b.pulled[key]; ok {
		return img, nil
	}
	img, err := registry.Pull(b.runCtx, ref, p, b.opts.Remote)
	if err != nil {
		return nil, err
	}
	b.pulled[key] = img
	return img, nil
}

// AllPlatforms is what "--platform all" means with the synthesized bases:
// every Linux platform that distroless and the Go toolchain both support.
var AllPlatforms = []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/ppc64le", "linux/s390x", "linux/riscv64"}

// allPlatforms is "--platform all" for a base: the platforms a pulled
// base offers (as ko builds them), every supported one for the synthesized.
func (b *bases) allPlatforms(ctx context.Context, ref string) ([]v1.Platform, error) {
	if ref == "" || ref == BaseDistroless || ref == BaseScratch {
		out := make([]v1.Platform, 0, len(AllPlatforms))
		for _, s := range AllPlatforms {
			p, err := v1.ParsePlatform(s)
			if err != nil {
				return nil, err
			}
			out = append(out, *p)
		}
		return out, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if ps, ok := b.platforms[ref]; ok {
		return ps, nil
	}
	ps, skipped, err := registry.BasePlatforms(ctx, ref, b.opts.Remote)
	if err != nil {
		return nil, err
	}
	for _, s := range skipped {
		b.opts.Logger.Warn("--platform all: skipping a platform of the base that hoist does not build (linux only)", "base", ref, "platform", s)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("--platform all: base %s offers no linux platform: pick platforms with --platform", ref)
	}
	b.platforms[ref] = ps
	return ps, nil
}

// pulledDigest is the digest of a pulled base (of any platform pulled), for
// the SBOM; "" when none was pulled.
func (b *bases) pulledDigest(ref string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k, img := range b.pulled {
		if !strings.HasPrefix(k, ref+"|") {
			continue
		}
		if d, err := img.Digest(); err == nil {
			return d.String()
		}
	}
	return ""
}
