package registry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1"
)

// BasePlatforms lists the platforms a base image offers, for "--platform
// all": every linux manifest of an index (skipping the unknown/unknown
// entries that hold attestations, as ko does), or a single image's own
// platform. Platforms hoist does not build (not linux) come back in skipped.
func BasePlatforms(ctx context.Context, ref string, opts Options) (ps []v1.Platform, skipped []string, err error) {
	b, err := opts.base(ctx, ref)
	if err != nil {
		return nil, nil, err
	}
	desc, err := b.get("reading")
	if err != nil {
		return nil, nil, err
	}
	var all []v1.Platform
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, nil, fmt.Errorf("reading base image %s: %w", ref, err)
		}
		m, err := idx.IndexManifest()
		if err != nil {
			return nil, nil, fmt.Errorf("reading base image %s: %w", ref, err)
		}
		for _, d := range m.Manifests {
			if d.Platform != nil {
				all = append(all, *d.Platform)
			}
		}
	} else {
		img, err := desc.Image()
		if err != nil {
			return nil, nil, fmt.Errorf("reading base image %s: %w", ref, err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			return nil, nil, fmt.Errorf("reading base image %s config: %w", ref, err)
		}
		all = append(all, v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant})
	}
	seen := map[string]bool{}
	for _, p := range all {
		switch {
		case p.OS == "unknown" || p.Architecture == "unknown":
		case p.OS != "linux":
			skipped = append(skipped, p.String())
		case !seen[p.String()]:
			seen[p.String()] = true
			ps = append(ps, v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant})
		}
	}
	return ps, skipped, nil
}
