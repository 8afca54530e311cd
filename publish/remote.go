package publish

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// RemoteOptions are the connection settings shared by pushes and pulls.
type RemoteOptions struct {
	// Insecure allows plain http and skips TLS verification.
	Insecure bool
	// Keychain resolves credentials (authn.DefaultKeychain if nil: docker
	// config.json and its credential helpers).
	Keychain authn.Keychain
	// Transport is the base round tripper (remote.DefaultTransport if nil).
	Transport http.RoundTripper
	// Jobs bounds concurrent blob uploads (ggcr's default if 0).
	Jobs int
}

func (o RemoteOptions) nameOptions() []name.Option {
	if o.Insecure {
		return []name.Option{name.Insecure}
	}
	return nil
}

func (o RemoteOptions) remoteOptions(ctx context.Context) []remote.Option {
	kc, rt := o.Keychain, o.Transport
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	if rt == nil {
		rt = remote.DefaultTransport
	}
	if o.Insecure {
		rt = insecureTransport(rt)
	}
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(kc),
		remote.WithTransport(rt),
		remote.WithUserAgent("hoist"),
	}
	if o.Jobs > 0 {
		opts = append(opts, remote.WithJobs(o.Jobs))
	}
	return opts
}

func insecureTransport(rt http.RoundTripper) http.RoundTripper {
	t, ok := rt.(*http.Transport)
	if !ok {
		return rt
	}
	t = t.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the user asked for --insecure
	return t
}

// Pull fetches an image for one platform, for use as a base. A reference to
// an index is resolved to the platform's image; a plain image must already be
// of that platform, or the built image would lie about what it runs on.
func Pull(ctx context.Context, ref string, platform v1.Platform, opts RemoteOptions) (v1.Image, error) {
	r, err := name.ParseReference(ref, opts.nameOptions()...)
	if err != nil {
		return nil, fmt.Errorf("invalid base image %q: %w", ref, err)
	}
	desc, err := remote.Get(r, append(opts.remoteOptions(ctx), remote.WithPlatform(platform))...)
	if err != nil {
		var terr *transport.Error
		if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
			return nil, fmt.Errorf("pulling base image %s: not found (check the name and tag)", ref)
		}
		return nil, fmt.Errorf("pulling base image %s: %w", ref, err)
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("pulling base image %s: %w", ref, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading base image %s config: %w", ref, err)
	}
	got := v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	if !got.Satisfies(platform) {
		return nil, fmt.Errorf("base image %s is %s, not %s: pick a base that has that platform", ref, got.String(), platform.String())
	}
	return img, nil
}
