package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Defaults for the command line's --timeout and --retries. The library
// does not apply them: a zero Options.Timeout or Options.Retries means none,
// as 0 does on the command line, so every bound a run has is one its caller
// chose.
const (
	DefaultTimeout = 60 * time.Second
	DefaultRetries = 5
	// DefaultRetryDelay is the first wait between retries when
	// Options.RetryDelay is 0 (no command line flag sets it).
	DefaultRetryDelay = 500 * time.Millisecond
)

// Options are the connection settings every registry request of hoist
// uses: pushes, pulls of base images, attachments, signatures, login.
type Options struct {
	// Insecure treats every registry as listed in InsecureRegistries.
	Insecure bool
	// InsecureRegistries may be reached over plain http (https is tried
	// first) and have their certificates unverified; credentials still go
	// over plain http to loopback only. See Policy.
	InsecureRegistries []string
	// Keychain resolves credentials (authn.DefaultKeychain if nil: docker
	// config.json and its credential helpers).
	Keychain authn.Keychain
	// Transport is the base round tripper (remote.DefaultTransport if nil).
	// Insecure registries and CACertPEM need it to be an *http.Transport.
	Transport http.RoundTripper
	// Jobs bounds concurrent blob uploads (ggcr's default if 0).
	Jobs int
	// Timeout fails a request that makes no progress for this long: no
	// response yet and no body bytes moving. 0 (or negative) means never.
	Timeout time.Duration
	// Retries is how often a request that failed with 429, 500, 502, 503,
	// 504, a reset or closed connection, or a timeout is tried again. 0
	// (or negative) means never.
	Retries int
	// RetryDelay is the wait before the first retry; later waits grow
	// exponentially, with jitter, to about 30s. 0 means DefaultRetryDelay.
	RetryDelay time.Duration
	// CACertPEM holds CA certificates (PEM) to trust for the registry, on
	// top of the system's.
	CACertPEM []byte
	// Logger receives a warning for each retry; nil discards them.
	Logger *slog.Logger
}

func (o Options) policy() Policy {
	return Policy{Insecure: o.InsecureRegistries, AllInsecure: o.Insecure}
}

// NameOptions are the parsing options for a reference, repository or
// registry s under these settings: name.Insecure, which lets ggcr fall back
// to http, only for a registry the policy allows plain http. (ggcr would
// also pick http for private ranges; the policy transport upgrades those
// requests to https.)
func (o Options) NameOptions(s string) []name.Option {
	if o.policy().Decide(registryOf(s)).PlainHTTP {
		return []name.Option{name.Insecure}
	}
	return nil
}

// registryOf is the registry host of a reference, repository or registry.
func registryOf(s string) string {
	if r, err := name.ParseReference(s); err == nil {
		return r.Context().RegistryStr()
	}
	if r, err := name.NewRepository(s); err == nil {
		return r.RegistryStr()
	}
	if r, err := name.NewRegistry(s); err == nil {
		return r.RegistryStr()
	}
	return ""
}

func (o Options) timeout() time.Duration { return max(o.Timeout, 0) }

func (o Options) retries() int { return max(o.Retries, 0) }

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

// Validate reports settings that cannot work, before anything is built.
func (o Options) Validate() error {
	_, err := o.roundTripper()
	return err
}

// RemoteOptions configures ggcr for one operation against registry
// (host[:port]), so that every package reaching a registry (publish, attest,
// sign) uses the same credentials, transport, TLS choice, timeouts and
// retries. Each
// failure is retried at one level only, so --retries bounds the attempts:
// ggcr retries errors at two levels, single idempotent requests and whole
// blob uploads and manifest puts (a broken upload must restart from a new
// session, not replay one request); below it retryBusy replays 429 and 503,
// and the stall timeout watches every attempt.
func (o Options) RemoteOptions(ctx context.Context, registry string) ([]remote.Option, error) {
	rt, err := o.roundTripper()
	if err != nil {
		return nil, err
	}
	kc := o.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	opts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(kc),
		remote.WithTransport(rt),
		remote.WithUserAgent("hoist"),
		remote.WithRetryBackoff(backoff(o.retries(), o.RetryDelay)),
		remote.WithRetryStatusCodes(retryStatusCodes...),
		remote.WithRetryPredicate(retryPredicate(o.logger(), registry, o.retries())),
	}
	if o.Jobs > 0 {
		opts = append(opts, remote.WithJobs(o.Jobs))
	}
	return opts, nil
}

// roundTripper is the stack under ggcr: 429/503 replays, then the stall
// timeout, then the size caps, then the transport policy over the
// TLS-configured base transports.
func (o Options) roundTripper() (http.RoundTripper, error) {
	secure, err := o.baseTransport(false)
	if err != nil {
		return nil, err
	}
	var insecure http.RoundTripper
	if o.Insecure || len(o.InsecureRegistries) > 0 {
		if insecure, err = o.baseTransport(true); err != nil {
			return nil, err
		}
	}
	rt := Bounded(o.policy().Transport(secure, insecure))
	if d := o.timeout(); d > 0 {
		rt = &stallTimeout{inner: rt, d: d}
	}
	return &retryBusy{inner: rt, retries: o.retries(), backoff: backoff(o.retries(), o.RetryDelay), log: o.logger(), maxAfter: o.timeout()}, nil
}

// baseTransport applies skipVerify and CACertPEM to a copy of the
// transport, so one registry's settings never leak into another's.
func (o Options) baseTransport(skipVerify bool) (http.RoundTripper, error) {
	rt := o.Transport
	if rt == nil {
		rt = remote.DefaultTransport
	}
	if !skipVerify && len(o.CACertPEM) == 0 {
		return rt, nil
	}
	t, ok := rt.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("configuring TLS: the transport is a %T, not an *http.Transport", rt)
	}
	t = t.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	if skipVerify {
		t.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // only for registries the user listed as insecure
		return t, nil
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(o.CACertPEM) {
		return nil, errors.New("reading CA certificates: no PEM certificate found")
	}
	t.TLSClientConfig.RootCAs = pool
	return t, nil
}
