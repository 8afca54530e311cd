package base

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/sbom"
)

// The names of the synthesized bases; any other name is an image reference.
const (
	DistrolessName = "distroless"
	ScratchName    = "scratch"
)

// Base is the image a package's layers go on.
type Base interface {
	// Name is "distroless", "scratch" or the pulled image's reference, for
	// messages.
	Name() string
	// Image is the base for one platform.
	Image(ctx context.Context, p v1.Platform) (v1.Image, error)
	// Platforms is what "--platform all" builds on this base.
	Platforms(ctx context.Context) ([]v1.Platform, error)
	// Components are what the base adds to the SBOM of a binary built by
	// Go goVersion.
	Components(goVersion string) []sbom.Component
	// Pulled reports whether the base comes from a registry: only then may
	// it hold files hoist did not put there (a libc), and only then does a
	// run need registry settings for it.
	Pulled() bool
}

// Synthesized reports whether a base name is one hoist makes itself ("" is
// the default, distroless) rather than an image reference to pull.
func Synthesized(name string) bool {
	return name == "" || name == DistrolessName || name == ScratchName
}

// Choice is the base setting: a base given to hoist (--base, HOIST_BASE,
// .hoist.yaml) is every package's; otherwise ko's baseImageOverrides (by
// lowercased import path), then its defaultBaseImage, then distroless.
type Choice struct {
	Base      string
	Overrides map[string]string
	Default   string
}

// For is the name of the base of the package at importPath.
func (c Choice) For(importPath string) string {
	if c.Base != "" {
		return c.Base
	}
	if b := c.Overrides[strings.ToLower(importPath)]; b != "" {
		return b
	}
	if c.Default != "" {
		return c.Default
	}
	return DistrolessName
}

// Set hands out one Base per name for a run: the distroless layers are
// written once, and a pulled base is fetched once per platform however many
// packages use it.
type Set struct {
	choice     Choice
	distroless *Distroless
	registry   Registry
	// ctx is the whole run's: a pulled base reads its layers lazily, when
	// the image is published, long after a build's own context is gone.
	ctx    context.Context
	logger *slog.Logger

	mu     sync.Mutex
	pulled map[string]*Pulled
}

// NewSet resolves choice into bases; registry pulls the bases that are
// image references.
func NewSet(ctx context.Context, choice Choice, distroless *Distroless, registry Registry, logger *slog.Logger) *Set {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Set{choice: choice, distroless: distroless, registry: registry, ctx: ctx, logger: logger, pulled: map[string]*Pulled{}}
}

// For is the base of the package at importPath.
func (s *Set) For(importPath string) Base {
	return s.Named(s.choice.For(importPath))
}

// Named is the base of a name: "distroless", "scratch" or a reference.
func (s *Set) Named(name string) Base {
	switch name {
	case "", DistrolessName:
		return s.distroless
	case ScratchName:
		return Scratch{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pulled[name]
	if !ok {
		p = NewPulled(s.ctx, name, s.registry, s.logger)
		s.pulled[name] = p
	}
	return p
}

// Images is b for each platform, for publishing a base on its own.
func Images(ctx context.Context, b Base, platforms []v1.Platform) ([]v1.Image, error) {
	if len(platforms) == 0 {
		return nil, fmt.Errorf("assembling the %s base: no platform given", b.Name())
	}
	out := make([]v1.Image, 0, len(platforms))
	for _, p := range platforms {
		img, err := b.Image(ctx, p)
		if err != nil {
			return nil, fmt.Errorf("assembling the %s base for %s: %w", b.Name(), p.String(), err)
		}
		out = append(out, img)
	}
	return out, nil
}
