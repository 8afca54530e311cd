package registry

import (
	"bytes"
	"context"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
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
	all, err := b.platforms(desc)
	if err != nil {
		return nil, nil, err
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

// platforms lists the platforms of the base image's index entries, or of
// its one image.
func (b *base) platforms(desc *remote.Descriptor) ([]v1.Platform, error) {
	if !desc.MediaType.IsIndex() {
		_, cfg, err := b.image(desc, "reading")
		if err != nil {
			return nil, err
		}
		return []v1.Platform{{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}}, nil
	}
	raw := func() ([]byte, error) { return desc.Manifest, nil }
	parse := func() (*v1.IndexManifest, error) { return v1.ParseIndexManifest(bytes.NewReader(desc.Manifest)) }
	m, err := document(b, indexDoc, raw, parse)
	if err != nil {
		return nil, err
	}
	var all []v1.Platform
	for _, d := range m.Manifests {
		if d.Platform != nil {
			all = append(all, *d.Platform)
		}
	}
	return all, nil
}
