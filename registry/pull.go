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
	b, err := opts.base(ctx, ref)
	if err != nil {
		return nil, err
	}
	desc, err := b.get("pulling", remote.WithPlatform(platform))
	if err != nil {
		return nil, err
	}
	if !json.Valid(desc.Manifest) {
		return nil, malformed(ref, "manifest")
	}
	img, cfg, err := b.image(desc, "pulling")
	if err != nil {
		return nil, err
	}
	got := v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	if !got.Satisfies(platform) {
		return nil, fmt.Errorf("base image %s is %s, not %s: pick a base that has that platform", ref, got.String(), platform.String())
	}
	return img, nil
}

// base is one request for a base image: its reference, the remote options
// for its registry, and how its failures are worded.
type base struct {
	ref   string
	r     name.Reference
	ropts []remote.Option
	opts  Options
}

func (o Options) base(ctx context.Context, ref string) (*base, error) {
	r, err := name.ParseReference(ref, o.NameOptions(ref)...)
	if err != nil {
		return nil, fmt.Errorf("invalid base image %q: %w", ref, err)
	}
	ropts, err := o.RemoteOptions(ctx, r.Context().RegistryStr())
	if err != nil {
		return nil, err
	}
	return &base{ref: ref, r: r, ropts: ropts, opts: o}, nil
}

// fail words err, met while doing what to the base image, in one line.
func (b *base) fail(what string, err error) error {
	return fmt.Errorf("%s base image %s: %w", what, b.ref, b.opts.Describe(err, b.r.Context().RegistryStr()))
}

// get fetches the base image's manifest or index, saying "not found" when
// that is what the registry answered.
func (b *base) get(what string, extra ...remote.Option) (*remote.Descriptor, error) {
	desc, err := remote.Get(b.r, append(b.ropts[:len(b.ropts):len(b.ropts)], extra...)...)
	var terr *transport.Error
	switch {
	case err == nil:
		return desc, nil
	case errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%s base image %s: not found (check the name and tag)", what, b.ref)
	}
	return nil, b.fail(what, err)
}

// image reads the image desc names, its manifest and config checked as
// any JSON document of a base (document), the config's size capped before
// it is fetched.
func (b *base) image(desc *remote.Descriptor, doing string) (v1.Image, *v1.ConfigFile, error) {
	img, err := desc.Image()
	if err != nil {
		return nil, nil, b.fail(doing, err)
	}
	m, err := document(b, manifestDoc, img.RawManifest, img.Manifest)
	if err != nil {
		return nil, nil, err
	}
	if err := CheckConfigSize(b.ref, m.Config.Size); err != nil {
		return nil, nil, err
	}
	// The config is verified against its digest by ggcr.
	cfg, err := document(b, configDoc, img.RawConfigFile, img.ConfigFile)
	if err != nil {
		return nil, nil, err
	}
	return img, cfg, nil
}

// docKind words the failures of one kind of JSON document of an image.
type docKind struct{ name, failing, unreadable string }

var (
	manifestDoc = docKind{"manifest", "pulling", "pulling base image %s"}
	configDoc   = docKind{"config", "reading the config of", "reading base image %s config"}
	indexDoc    = docKind{"index", "reading", "reading base image %s"}
)

// document fetches one JSON document of the base image with raw and parses
// it with parse, telling malformed JSON from a failed transfer.
func document[T any](b *base, kind docKind, raw func() ([]byte, error), parse func() (T, error)) (T, error) {
	var zero T
	data, err := raw()
	if err != nil {
		return zero, b.fail(kind.failing, err)
	}
	if !json.Valid(data) {
		return zero, malformed(b.ref, kind.name)
	}
	v, err := parse()
	if err != nil {
		return zero, fmt.Errorf(kind.unreadable+": the registry served an unreadable %s: %s", b.ref, kind.name, oneLine(err.Error()))
	}
	return v, nil
}

func malformed(ref, what string) error {
	return fmt.Errorf("pulling base image %s: the registry served a malformed %s (not valid JSON)", ref, what)
}
