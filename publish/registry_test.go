package publish

import (
	"context"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/registry"
)

// anonymous never consults the host's docker config.
var anonymous = registry.Options{Keychain: authn.NewMultiKeychain()}

var (
	amd64 = v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64 = v1.Platform{OS: "linux", Architecture: "arm64"}
)

func newRegistry(t *testing.T, opts RegistryOptions) *Registry {
	t.Helper()
	if opts.Remote.Keychain == nil {
		opts.Remote.Keychain = anonymous.Keychain
	}
	r, err := NewRegistry(opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// served checks that ref is in the registry as a valid image or index.
func served(t *testing.T, ref string, index bool) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if index {
		back, err := remote.Index(r)
		if err == nil {
			err = validate.Index(back)
		}
		if err != nil {
			t.Errorf("index %s: %v", ref, err)
		}
		return
	}
	back, err := remote.Image(r)
	if err == nil {
		err = validate.Image(back)
	}
	if err != nil {
		t.Errorf("image %s: %v", ref, err)
	}
}

func TestRegistryPublishImage(t *testing.T) {
	host := registrytest.New(t)
	tests := []struct {
		name     string
		opts     RegistryOptions
		wantRepo string
		wantTags []string
	}{
		{"tags", RegistryOptions{Repo: host + "/acme", Tags: []string{"v1", "latest"}}, host + "/acme/app", []string{"v1", "latest"}},
		{"default tag", RegistryOptions{Repo: host + "/team"}, host + "/team/app", []string{"latest"}},
		{"bare", RegistryOptions{Repo: host + "/acme/svc", Bare: true, Tags: []string{"v2"}}, host + "/acme/svc", []string{"v2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := randomImage(t)
			got, err := newRegistry(t, tt.opts).Publish(context.Background(), "app", img)
			if err != nil {
				t.Fatal(err)
			}
			d := digest(t, img)
			if want := tt.wantRepo + "@" + d.String(); got != want {
				t.Errorf("Publish = %q, want %q", got, want)
			}
			for _, tag := range tt.wantTags {
				if rd := registrytest.Digest(t, tt.wantRepo+":"+tag); rd != d {
					t.Errorf("%s:%s is %s, want %s", tt.wantRepo, tag, rd, d)
				}
			}
			served(t, got, false)
		})
	}
}

func TestRegistryPublishIndex(t *testing.T) {
	host := registrytest.New(t)
	idx, _ := platformIndex(t, amd64, arm64)
	got, err := newRegistry(t, RegistryOptions{Repo: host + "/acme", Tags: []string{"multi"}}).Publish(context.Background(), "app", idx)
	if err != nil {
		t.Fatal(err)
	}
	if want := host + "/acme/app@" + digest(t, idx).String(); got != want {
		t.Errorf("Publish = %q, want %q", got, want)
	}
	served(t, got, true)
	if d := registrytest.Digest(t, host+"/acme/app:multi"); d != digest(t, idx) {
		t.Errorf("tag multi is %s, want %s", d, digest(t, idx))
	}
}

func TestRegistryPublishUnreachable(t *testing.T) {
	srv := httptest.NewServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	r := newRegistry(t, RegistryOptions{Repo: u.Host + "/acme"})
	_, err = r.Publish(context.Background(), "app", randomImage(t))
	if err == nil || !strings.Contains(err.Error(), "pushing "+u.Host+"/acme/app:latest") {
		t.Errorf("Publish to a closed registry: error %v", err)
	}
}

// TestInsecure checks that Insecure really skips TLS verification, and that
// verification is otherwise on, against a registry with a self-signed
// certificate.
func TestInsecure(t *testing.T) {
	quiet := log.New(io.Discard, "", 0)
	srv := httptest.NewUnstartedServer(ggcr.New(ggcr.Logger(quiet)))
	srv.Config.ErrorLog = quiet // the refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	img := randomImage(t)

	secure := newRegistry(t, RegistryOptions{Repo: u.Host + "/acme"})
	if _, err := secure.Publish(context.Background(), "app", img); err == nil {
		t.Fatal("Publish trusted a self-signed certificate without Insecure")
	}

	insecure := newRegistry(t, RegistryOptions{Repo: u.Host + "/acme", Remote: registry.Options{Insecure: true}})
	got, err := insecure.Publish(context.Background(), "app", img)
	if err != nil {
		t.Fatalf("Publish with Insecure: %v", err)
	}
	if want := u.Host + "/acme/app@" + digest(t, img).String(); got != want {
		t.Errorf("Publish = %q, want %q", got, want)
	}
	pulled, err := registry.Pull(context.Background(), u.Host+"/acme/app:latest", v1.Platform{}, registry.Options{Insecure: true, Keychain: anonymous.Keychain})
	if err != nil || digest(t, pulled) != digest(t, img) {
		t.Errorf("Pull with Insecure: %v", err)
	}
}
