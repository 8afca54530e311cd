package assemble

import (
	"context"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/layers"
)

// Layer is one of hoist's layers with the history line that says what it
// holds.
type Layer struct {
	Layer   *layers.Blob
	History string
}

// DefaultPath is the PATH of the distroless base.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// DistrolessLayers writes the three layers of the synthesized base, rarest
// change first: base files, CA bundle, tzdata. They do not depend on the
// platform, so callers build them once and share them across platforms.
func DistrolessLayers(ctx context.Context, zoneinfo []byte, opts layers.Options) ([]Layer, error) {
	tz, err := layers.Tzdata(zoneinfo)
	if err != nil {
		return nil, err
	}
	parts := []struct {
		entries []layers.Entry
		history string
	}{
		{layers.BaseFiles(), "hoist: base files (passwd, group, nsswitch.conf, os-release, /tmp, /home/nonroot)"},
		{layers.CACerts(), "hoist: CA certificates (Mozilla roots, " + layers.CABundlePath + ")"},
		{tz, "hoist: tzdata (" + layers.ZoneinfoDir + ", from the Go toolchain)"},
	}
	out := make([]Layer, 0, len(parts))
	for _, p := range parts {
		l, err := layers.New(ctx, p.entries, opts)
		if err != nil {
			return nil, fmt.Errorf("writing base layer %q: %w", p.history, err)
		}
		out = append(out, Layer{Layer: l, History: p.history})
	}
	return out, nil
}

// Scratch is an empty OCI image for the platform: no files, no config.
func Scratch(platform v1.Platform) (v1.Image, error) {
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	setPlatform(cfg, platform)
	return mutate.ConfigFile(img, cfg)
}

// Distroless stacks the base layers on scratch with the environment the
// distroless images set, so this image can also be published alone and used
// as a base by ko or a Dockerfile.
//
// The config and its history are dated at created, as every image hoist
// makes, so that the base published alone has the same digest each time.
func Distroless(platform v1.Platform, base []Layer, created time.Time) (v1.Image, error) {
	img, err := Scratch(platform)
	if err != nil {
		return nil, err
	}
	if img, err = appendLayers(img, base); err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cfg = cfg.DeepCopy()
	cfg.Config.Env = []string{DefaultPath, "SSL_CERT_FILE=" + layers.CABundlePath}
	cfg.Config.User = fmt.Sprintf("%d:%d", layers.NonRoot, layers.NonRoot)
	cfg.Config.WorkingDir = "/"
	date(cfg, created)
	return mutate.ConfigFile(img, cfg)
}

// appendLayers adds the layers with their history. On a Docker-format base
// the layers take Docker's media type, because a Docker manifest naming OCI
// layers is refused by some registries and runtimes; zstd has no Docker
// media type, so it needs an OCI base.
func appendLayers(img v1.Image, ls []Layer) (v1.Image, error) {
	mt, err := img.MediaType()
	if err != nil {
		return nil, fmt.Errorf("reading base media type: %w", err)
	}
	docker := mt == types.DockerManifestSchema2
	adds := make([]mutate.Addendum, 0, len(ls))
	for _, l := range ls {
		add := mutate.Addendum{Layer: l.Layer, History: v1.History{CreatedBy: l.History, Comment: "hoist"}}
		if docker {
			lmt, err := l.Layer.MediaType()
			if err != nil {
				return nil, err
			}
			if lmt != types.OCILayer {
				return nil, fmt.Errorf("appending %s layer to a Docker-format base: use --compression gzip, or an OCI base", lmt)
			}
			add.MediaType = types.DockerLayer
		}
		adds = append(adds, add)
	}
	img, err = mutate.Append(img, adds...)
	if err != nil {
		return nil, fmt.Errorf("appending layers: %w", err)
	}
	return img, nil
}

func setPlatform(cfg *v1.ConfigFile, p v1.Platform) {
	cfg.OS = p.OS
	cfg.Architecture = p.Architecture
	cfg.Variant = p.Variant
	cfg.OSVersion = p.OSVersion
}
