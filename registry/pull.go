package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Pull fetches an image for one platform, for use as a base. A reference to
// an index is resolved to the platform's image; a plain image must already be
// of that platform, or the built image would lie about what it runs on.
// Everything the registry sends is bounded (Bounded, the config
// size cap) and checked: malformed JSON is said to be malformed, not taken
// for a dropped connection.
func Pull(ctx context.Context, ref string, platform v1.Platform, opts Options) (v1.Image, error) {
	r, err := name.ParseReference(ref, opts.NameOptions(ref)...)
	if err != nil {
		return nil, fmt.Errorf("invalid base image %q: %w", ref, err)
	}
	host := r.Context().RegistryStr()
	fail := func(what string, err error) error {
		return fmt.Errorf("%s base image %s: %w", what, ref, describe(err, host, opts.retries()))
	}
	ropts, err := opts.RemoteOptions(ctx, host)
	if err != nil {
		return nil, err
	}
	desc, err := remote.Get(r, append(ropts, remote.WithPlatform(platform))...)
	if err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("pulling base image %s: not found (check the name and tag)", ref)
		}
		return nil, fail("pulling", err)
	}
	if !json.Valid(desc.Manifest) {
		return nil, malformed(ref, "manifest")
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fail("pulling", err)
	}
	raw, err := img.RawManifest()
	if err != nil {
		return nil, fail("pulling", err)
	}
	if !json.Valid(raw) {
		return nil, malformed(ref, "manifest")
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, fmt.Errorf("pulling base image %s: the registry served an unreadable manifest: %s", ref, oneLine(err.Error()))
	}
	if err := CheckConfigSize(ref, m.Config.Size); err != nil {
		return nil, err
	}
	cfg, err := platformConfig(img, ref, fail)
	if err != nil {
		return nil, err
	}
	got := v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	if !got.Satisfies(platform) {
		return nil, fmt.Errorf("base image %s is %s, not %s: pick a base that has that platform", ref, got.String(), platform.String())
	}
	return img, nil
}

// platformConfig fetches the config (verified against its digest by ggcr)
// and parses it.
func platformConfig(img v1.Image, ref string, fail func(string, error) error) (*v1.ConfigFile, error) {
	raw, err := img.RawConfigFile()
	if err != nil {
		return nil, fail("reading the config of", err)
	}
	if !json.Valid(raw) {
		return nil, malformed(ref, "config")
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading base image %s config: the registry served an unreadable config: %s", ref, oneLine(err.Error()))
	}
	return cfg, nil
}

func malformed(ref, what string) error {
	return fmt.Errorf("pulling base image %s: the registry served a malformed %s (not valid JSON)", ref, what)
}
