package base

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/sbom"
)

// Registry is all a pulled base needs of the registry client, kept narrow
// so that the client can change without the bases noticing.
type Registry interface {
	// Pull reads the image of ref for the platform.
	Pull(ctx context.Context, ref string, p v1.Platform) (v1.Image, error)
	// Platforms lists the linux platforms ref offers; the others come back
	// in skipped.
	Platforms(ctx context.Context, ref string) (ps []v1.Platform, skipped []string, err error)
}

// Pulled is a base image pulled from a registry, once per platform.
type Pulled struct {
	ref      string
	registry Registry
	ctx      context.Context // the run's: layers are read lazily, at publish
	logger   *slog.Logger

	mu        sync.Mutex
	images    map[string]v1.Image
	platforms []v1.Platform
}

// NewPulled is the base ref, read through registry within the run's ctx.
func NewPulled(ctx context.Context, ref string, registry Registry, logger *slog.Logger) *Pulled {
	return &Pulled{ref: ref, registry: registry, ctx: ctx, logger: logger, images: map[string]v1.Image{}}
}

func (b *Pulled) Name() string { return b.ref }
func (b *Pulled) Pulled() bool { return true }

// Image pulls the platform's image on first use. The run's context, not
// ctx, bounds the pull: the image's layers are read when it is published.
func (b *Pulled) Image(_ context.Context, p v1.Platform) (v1.Image, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if img, ok := b.images[p.String()]; ok {
		return img, nil
	}
	img, err := b.registry.Pull(b.ctx, b.ref, p)
	if err != nil {
		return nil, err
	}
	b.images[p.String()] = img
	return img, nil
}

// Platforms is the base's linux platforms, as ko builds them.
func (b *Pulled) Platforms(ctx context.Context) ([]v1.Platform, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.platforms != nil {
		return b.platforms, nil
	}
	ps, skipped, err := b.registry.Platforms(ctx, b.ref)
	if err != nil {
		return nil, err
	}
	for _, s := range skipped {
		b.logger.Warn("--platform all: skipping a platform of the base that hoist does not build (linux only)", "base", b.ref, "platform", s)
	}
	if len(ps) == 0 {
		return nil, fmt.Errorf("--platform all: base %s offers no linux platform: pick platforms with --platform", b.ref)
	}
	b.platforms = ps
	return ps, nil
}

// Components is the base by the digest of a platform pulled (any: an SBOM
// names the base once), without one when none was pulled.
func (b *Pulled) Components(string) []sbom.Component {
	b.mu.Lock()
	defer b.mu.Unlock()
	digest := ""
	for _, img := range b.images {
		if d, err := img.Digest(); err == nil {
			digest = d.String()
			break
		}
	}
	return []sbom.Component{sbom.PulledBase(b.ref, digest)}
}
