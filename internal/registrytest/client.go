package registrytest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Keychain hands out one user's credentials for every registry, as a
// docker config.json with a single entry would; the zero Keychain is
// anonymous, so a test never consults the host's docker config.
type Keychain struct{ User, Password string }

// Resolve implements authn.Keychain.
func (k Keychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	if k.User == "" {
		return authn.Anonymous, nil
	}
	return &authn.Basic{Username: k.User, Password: k.Password}, nil
}

// Client are the ggcr options of the test's own view of s: a client that
// trusts s's CA (TLS servers) and logs in as user, independent of the code
// under test.
func (s *Server) Client(t testing.TB, user, password string) []remote.Option {
	t.Helper()
	opts := []remote.Option{remote.WithAuthFromKeychain(Keychain{user, password})}
	if s.CAPEM == nil {
		return opts
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CAPEM) {
		t.Fatal("test CA does not parse")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	return append(opts, remote.WithTransport(tr))
}

// Catalog lists the repositories of the registry at host.
func Catalog(t testing.TB, host string, opts ...remote.Option) []string {
	t.Helper()
	reg, err := name.NewRegistry(host)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(context.Background(), reg, opts...)
	if err != nil {
		t.Fatalf("listing %s: %v", host, err)
	}
	return repos
}

// Digest is the digest the registry serves for ref (a HEAD request).
func Digest(t testing.TB, ref string, opts ...remote.Option) v1.Hash {
	t.Helper()
	desc, err := remote.Head(parse(t, ref), opts...)
	if err != nil {
		t.Fatalf("looking up %s: %v", ref, err)
	}
	return desc.Digest
}

// Write pushes an image or index to ref with ggcr itself, not with the
// code under test.
func Write(t testing.TB, ref string, art remote.Taggable, opts ...remote.Option) {
	t.Helper()
	r := parse(t, ref)
	var err error
	switch a := art.(type) {
	case v1.ImageIndex:
		err = remote.WriteIndex(r, a, opts...)
	case v1.Image:
		err = remote.Write(r, a, opts...)
	default:
		t.Fatalf("writing %s: %T is neither an image nor an index", ref, art)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Index reads the index ref (a digest reference) and its manifest.
func Index(t testing.TB, ref string, opts ...remote.Option) (v1.ImageIndex, *v1.IndexManifest) {
	t.Helper()
	idx, err := remote.Index(parse(t, ref), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return idx, IndexManifest(t, idx)
}

func parse(t testing.TB, ref string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The one user of a Secure registry.
const (
	User     = "hoist"
	Password = "s3cret-pass"
)

// Secure starts a registry as a remote one would be: https with a
// certificate from its own CA, and basic auth for User.
func Secure(t testing.TB) *Server {
	t.Helper()
	return Start(t, Options{Users: map[string]string{User: Password}, TLS: true})
}
