package publish_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/registry"
)

const (
	user     = registrytest.User
	password = registrytest.Password
)

// catalog is the test's own view of what srv holds.
func catalog(t *testing.T, srv *registrytest.Server) []string {
	t.Helper()
	return registrytest.Catalog(t, srv.Host, srv.Client(t, user, password)...)
}

func TestPushWithAuthAndTLS(t *testing.T) {
	srv := registrytest.Secure(t)
	other := registrytest.Secure(t)
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	ref := srv.Host + "/acme/app:latest"
	cases := []struct {
		name   string
		remote registry.Options
		want   string // error, or "" for success
	}{
		{"credentials and CA", registry.Options{Keychain: registrytest.Keychain{User: user, Password: password}, CACertPEM: srv.CAPEM}, ""},
		{"insecure skips verification", registry.Options{Keychain: registrytest.Keychain{User: user, Password: password}, Insecure: true}, ""},
		{"wrong password", registry.Options{Keychain: registrytest.Keychain{User: user, Password: "wrong"}, CACertPEM: srv.CAPEM},
			"pushing " + ref + ": " + srv.Host + ": 401 unauthorized: check the credentials for " + srv.Host + " (hoist login " + srv.Host + ")"},
		{"no credentials", registry.Options{Keychain: registrytest.Keychain{}, CACertPEM: srv.CAPEM}, "401 unauthorized"},
		{"untrusted certificate", registry.Options{Keychain: registrytest.Keychain{User: user, Password: password}}, "unknown authority: trust its CA with --ca-cert FILE"},
		{"another server's CA", registry.Options{Keychain: registrytest.Keychain{User: user, Password: password}, CACertPEM: other.CAPEM}, "--ca-cert"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := publish.NewRegistry(publish.RegistryOptions{Repo: srv.Host + "/acme", Remote: tc.remote})
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Publish(context.Background(), "app", img)
			if !hoisttest.WantErrorLine(t, err, tc.want) {
				if got != srv.Host+"/acme/app@"+want.String() {
					t.Errorf("Publish = %s, want digest %s", got, want)
				}
				checkPulled(t, srv, ref, want)
				return
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
	if d := registrytest.Digest(t, ref, srv.Client(t, user, password)...); d != want {
		t.Errorf("%s is %s, want %s", ref, d, want)
	}
}

// TestFailedAuthPushesNothing pushes with a wrong password to a fresh
// registry: not one repository may appear.
func TestFailedAuthPushesNothing(t *testing.T) {
	srv := registrytest.Secure(t)
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	r, err := publish.NewRegistry(publish.RegistryOptions{Repo: srv.Host + "/acme", Remote: registry.Options{Keychain: registrytest.Keychain{User: user, Password: "nope"}, CACertPEM: srv.CAPEM}})
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
	_, err := publish.NewRegistry(publish.RegistryOptions{Repo: "127.0.0.2:5000/acme", Remote: registry.Options{CACertPEM: []byte("not a certificate")}})
	if err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("NewRegistry with a bad CA = %v, want a PEM error", err)
	}
}
