package base

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/sbom"
)

// Scratch is the empty base: no files, no config.
type Scratch struct{}

func (Scratch) Name() string { return ScratchName }
func (Scratch) Pulled() bool { return false }

func (Scratch) Image(_ context.Context, p v1.Platform) (v1.Image, error) {
	return assemble.Scratch(p)
}

func (Scratch) Platforms(context.Context) ([]v1.Platform, error) {
	return parsePlatforms(AllPlatforms)
}

func (Scratch) Components(string) []sbom.Component { return nil }

// DistrolessOptions is what the synthesized base is made of.
type DistrolessOptions struct {
	// Zoneinfo reads the Go toolchain's zoneinfo.zip, called once when the
	// layers are first needed.
	Zoneinfo func() ([]byte, error)
	// Layers dates and compresses the layers; its Dir is used only with a
	// Cache (without one the small layers stay in memory).
	Layers layers.Options
	// Cache, when set, keeps the layers between runs.
	Cache *cache.Cache
	// CAVersion is the pinned CA bundle module's version, for the SBOM.
	CAVersion string
	Logger    *slog.Logger
}

// Distroless is hoist's synthesized base: base files, the CA bundle and
// tzdata on scratch, dated at Layers.Time like every image hoist makes.
// Its layers do not depend on the platform: they are written (or read
// from the cache) once and shared by every platform.
type Distroless struct {
	opts   DistrolessOptions
	once   sync.Once
	layers []assemble.Layer
	err    error
}

// NewDistroless is the synthesized base made of opts.
func NewDistroless(opts DistrolessOptions) *Distroless {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Distroless{opts: opts}
}

func (*Distroless) Name() string { return DistrolessName }
func (*Distroless) Pulled() bool { return false }

// Image is the base for p; the first call writes the layers.
func (b *Distroless) Image(ctx context.Context, p v1.Platform) (v1.Image, error) {
	b.once.Do(func() { b.layers, b.err = b.load(ctx) })
	if b.err != nil {
		return nil, b.err
	}
	return assemble.Distroless(p, b.layers, b.opts.Layers.Time)
}

func (*Distroless) Platforms(context.Context) ([]v1.Platform, error) {
	return parsePlatforms(AllPlatforms)
}

func (b *Distroless) Components(goVersion string) []sbom.Component {
	return sbom.DistrolessBase(b.opts.CAVersion, goVersion)
}

// format changes whenever hoist changes what the base layers hold.
const format = "hoist-distroless-2"

// load writes the layers, or takes them from the cache: they depend only
// on hoist's own files, the toolchain's tzdata and the layer settings, and
// compressing tzdata and the CA bundle is most of what is left of a no-op
// rebuild once go is not run.
func (b *Distroless) load(ctx context.Context) ([]assemble.Layer, error) {
	zoneinfo, err := b.opts.Zoneinfo()
	if err != nil {
		return nil, err
	}
	lopts, c := b.opts.Layers, b.opts.Cache
	if c == nil {
		lopts.Dir = ""
		return assemble.DistrolessLayers(ctx, zoneinfo, lopts)
	}
	key := cache.Key(format, string(lopts.Compression), lopts.Time.UTC().String(),
		fmt.Sprintf("%x", sha256.Sum256(zoneinfo)), fmt.Sprintf("%x", sha256.Sum256(layers.CACerts()[0].Data)))
	var history []string
	if blobs, _ := layers.GetCached(c, key, &history); len(blobs) == len(history) && blobs != nil {
		out := make([]assemble.Layer, len(blobs))
		for i, l := range blobs {
			out[i] = assemble.Layer{Layer: l, History: history[i]}
		}
		return out, nil
	}
	ls, err := assemble.DistrolessLayers(ctx, zoneinfo, lopts)
	if err != nil {
		return nil, err
	}
	blobs, history := make([]*layers.Blob, len(ls)), make([]string, len(ls))
	for i, l := range ls {
		blobs[i], history[i] = l.Layer, l.History
	}
	if err := layers.PutCached(c, key, blobs, nil, history); err != nil {
		b.opts.Logger.Warn("not caching the base layers", "error", err)
	}
	return ls, nil
}
