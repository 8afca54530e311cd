package publish_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/publish"
)

const (
	user     = "hoist"
	password = "s3cret-pass"
)

// keychain hands out one user's credentials for every registry, as a
// docker config.json with a single entry would.
type keychain struct{ user, password string }

func (k keychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	if k.user == "" {
		return authn.Anonymous, nil
	}
	return &authn.Basic{Username: k.user, Password: k.password}, nil
}

func secureRegistry(t *testing.T) *registrytest.Server {
	t.Helper()
	return registrytest.Start(t, registrytest.Options{Users: map[string]string{user: password}, TLS: true})
}

// trusting is a client that trusts the test CA and knows the password: the
// test's own view of what the registry holds.
func trusting(t *testing.T, srv *registrytest.Server) []remote.Option {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(srv.CAPEM) {
		t.Fatal("test CA does not parse")
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	return []remote.Option{remote.WithTransport(tr), remote.WithAuth(&authn.Basic{Username: user, Password: password})}
}

func catalog(t *testing.T, srv *registrytest.Server) []string {
	t.Helper()
	reg, err := name.NewRegistry(srv.Host)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(context.Background(), reg, trusting(t, srv)...)
	if err != nil {
		t.Fatalf("listing %s: %v", srv.Host, err)
	}
	return repos
}

func TestPushWithAuthAndTLS(t *testing.T) {
	srv := secureRegistry(t)
	other := secureRegistry(t)
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	ref := srv.Host + "/acme/app:latest"
	cases := []struct {
		name   string
		remote publish.RemoteOptions
		want   string // error, or "" for success
	}{
		{"credentials and CA", publish.RemoteOptions{Keychain: keychain{user, password}, CACertPEM: srv.CAPEM}, ""},
		{"insecure skips verification", publish.RemoteOptions{Keychain: keychain{user, password}, Insecure: true}, ""},
		{"wrong password", publish.RemoteOptions{Keychain: keychain{user, "wrong"}, CACertPEM: srv.CAPEM},
			"pushing " + ref + ": " + srv.Host + ": 401 unauthorized: check the credentials for " + srv.Host + " (hoist login " + srv.Host + ")"},
		{"no credentials", publish.RemoteOptions{Keychain: keychain{}, CACertPEM: srv.CAPEM}, "401 unauthorized"},
		{"untrusted certificate", publish.RemoteOptions{Keychain: keychain{user, password}}, "unknown authority: trust its CA with --ca-cert FILE"},
		{"another server's CA", publish.RemoteOptions{Keychain: keychain{user, password}, CACertPEM: other.CAPEM}, "--ca-cert"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.remote.Retries = -1
			r, err := publish.NewRegistry(publish.RegistryOptions{Repo: srv.Host + "/acme", Remote: tc.remote})
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Publish(context.Background(), "app", img)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Publish: %v", err)
				}
				if got != srv.Host+"/acme/app@"+want.String() {
					t.Errorf("Publish = %s, want digest %s", got, want)
				}
				checkPulled(t, srv, ref, want)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Publish error = %v, want one line containing %q", err, tc.want)
			}
			t.Logf("error: %v", err)
			if strings.Contains(err.Error(), "http://") {
				t.Errorf("error %q mentions plain http: no downgrade may be tried", err)
			}
		})
	}
	if repos := catalog(t, srv); len(repos) != 1 {
		t.Errorf("registry holds %v, want only acme/app from the successful pushes", repos)
	}
}

func checkPulled(t *testing.T, srv *registrytest.Server, ref string, want v1.Hash) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r, trusting(t, srv)...)
	if err != nil {
		t.Fatalf("pulling %s: %v", ref, err)
	}
	if d, _ := img.Digest(); d != want {
		t.Errorf("%s is %s, want %s", ref, d, want)
	}
}

// TestFailedAuthPushesNothing pushes with a wrong password to a fresh
// registry: not one repository may appear.
func TestFailedAuthPushesNothing(t *testing.T) {
	srv := secureRegistry(t)
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	r, err := publish.NewRegistry(publish.RegistryOptions{Repo: srv.Host + "/acme", Remote: publish.RemoteOptions{Keychain: keychain{user, "nope"}, CACertPEM: srv.CAPEM}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Publish(context.Background(), "app", img); err == nil {
		t.Fatal("a wrong password pushed")
	}
	if repos := catalog(t, srv); len(repos) != 0 {
		t.Errorf("registry holds %v after a refused push", repos)
	}
}

func TestBadCACert(t *testing.T) {
	_, err := publish.NewRegistry(publish.RegistryOptions{Repo: "127.0.0.2:5000/acme", Remote: publish.RemoteOptions{CACertPEM: []byte("not a certificate")}})
	if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("NewRegistry with a bad CA = %v, want a PEM error", err)
	}
}

func TestCheckLogin(t *testing.T) {
	srv := secureRegistry(t)
	cases := []struct {
		name, user, password string
		ca                   []byte
		want                 string
	}{
		{"right password", user, password, srv.CAPEM, ""},
		{"wrong password", user, "wrong", srv.CAPEM, "logging in to " + srv.Host + ": 401 unauthorized: " + srv.Host + " refused the password for user hoist"},
		{"unknown user", "mallory", password, srv.CAPEM, "401 unauthorized"},
		{"untrusted certificate", user, password, nil, "--ca-cert"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := publish.CheckLogin(context.Background(), srv.Host, tc.user, tc.password, publish.RemoteOptions{CACertPEM: tc.ca, Retries: -1})
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckLogin: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("CheckLogin error = %v, want one line containing %q", err, tc.want)
			}
			t.Logf("error: %v", err)
		})
	}
}
