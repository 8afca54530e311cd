package pipeline

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/registry"
)

// bases is the run's bases, with the toolchain whose zoneinfo the
// synthesized one holds and which builds the binaries on them.
type bases struct {
	*base.Set
	toolchain build.Toolchain
}

// newBases turns the base settings into bases, once per run: below, a
// target holds a base.Base and nothing switches on its name.
func newBases(ctx context.Context, opts Options, tc build.Toolchain) *bases {
	choice := base.Choice{Base: opts.Base, Overrides: opts.BaseOverrides, Default: opts.DefaultBase}
	return &bases{Set: base.NewSet(ctx, choice, distroless(opts, tc), pullRegistry{opts.Remote}, opts.Logger), toolchain: tc}
}

// distroless is the synthesized base as every command makes it: from the
// toolchain's zoneinfo, with the run's layer settings and cache.
func distroless(opts Options, tc build.Toolchain) *base.Distroless {
	return base.NewDistroless(base.DistrolessOptions{
		Zoneinfo:  tc.Zoneinfo,
		Layers:    layers.Options{Time: opts.Created, Compression: opts.Compression, Dir: opts.WorkDir},
		Cache:     opts.Cache,
		CAVersion: opts.CAVersion,
		Logger:    opts.Logger,
	})
}

// pullRegistry is the registry client the pulled bases read through: the
// one place the bases meet it.
type pullRegistry struct{ opts registry.Options }

func (r pullRegistry) Pull(ctx context.Context, ref string, p v1.Platform) (v1.Image, error) {
	return registry.Pull(ctx, ref, p, r.opts)
}

func (r pullRegistry) Platforms(ctx context.Context, ref string) ([]v1.Platform, []string, error) {
	return registry.BasePlatforms(ctx, ref, r.opts)
}

// PublishBase publishes the synthesized distroless base on its own under
// name, for every platform of opts (all it supports with AllPlatforms), and
// returns the reference: the same layers, cache and dating as a build's.
func PublishBase(ctx context.Context, opts Options, name string) (string, error) {
	opts = opts.withDefaults()
	tc, err := build.LoadToolchain(ctx, opts.Dir, opts.Environ)
	if err != nil {
		return "", err
	}
	b := distroless(opts, tc)
	platforms := opts.Platforms
	if opts.AllPlatforms {
		if platforms, err = b.Platforms(ctx); err != nil {
			return "", err
		}
	}
	imgs, err := base.Images(ctx, b, platforms)
	if err != nil {
		return "", err
	}
	var art publish.Artifact = imgs[0]
	if len(imgs) > 1 {
		if art, err = assemble.Index(imgs); err != nil {
			return "", fmt.Errorf("indexing the distroless base: %w", err)
		}
	}
	return opts.Publisher.Publish(ctx, name, art)
}
