package assemble

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/hoist-build/hoist/layers"
)

// DistrolessImages is the synthesized base on its own, one image per
// platform, for publishing as ko's defaultBaseImage or a Dockerfile's FROM.
// The layers are written once and shared, as in a build; the config is
// dated at opts.Time like every image hoist makes, so the same toolchain and
// time give the same digests.
func DistrolessImages(ctx context.Context, zoneinfo []byte, platforms []v1.Platform, opts layers.Options) ([]v1.Image, error) {
	if len(platforms) == 0 {
		return nil, fmt.Errorf("assembling the distroless base: no platform given")
	}
	base, err := DistrolessLayers(ctx, zoneinfo, opts)
	if err != nil {
		return nil, err
	}
	out := make([]v1.Image, 0, len(platforms))
	for _, p := range platforms {
		img, err := Distroless(p, base)
		if err != nil {
			return nil, fmt.Errorf("assembling the distroless base for %s: %w", p.String(), err)
		}
		if img, err = dated(img, opts.Time); err != nil {
			return nil, fmt.Errorf("assembling the distroless base for %s: %w", p.String(), err)
		}
		out = append(out, img)
	}
	return out, nil
}

func dated(img v1.Image, created time.Time) (v1.Image, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Created = v1.Time{Time: created.UTC()}
	for i := range cfg.History {
		cfg.History[i].Created = cfg.Created
	}
	return mutate.ConfigFile(img, cfg)
}
