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
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/registrytest"
)

// anonymous never consults the host's docker config.
var anonymous = RemoteOptions{Keychain: authn.NewMultiKeychain()}

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

// remoteDigest is what the registry serves for ref.
func remoteDigest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(r)
	if err != nil {
		t.Fatalf("HEAD %s: %v", ref, err)
	}
	return desc.Digest
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
				if rd := remoteDigest(t, tt.wantRepo+":"+tag); rd != d {
					t.Errorf("%s:%s is %s, want %s", tt.wantRepo, tag, rd, d)
				}
			}
			ref, err := name.ParseReference(got)
			if err != nil {
				t.Fatal(err)
			}
			back, err := remote.Image(ref)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(back); err != nil {
				t.Errorf("validate.Image: %v", err)
			}
		})
	}
}

func TestRegistryPublishIndexAndPull(t *testing.T) {
	ctx := context.Background()
	host := registrytest.New(t)
	idx, imgs := platformIndex(t, amd64, arm64)
	r := newRegistry(t, RegistryOptions{Repo: host + "/acme", Tags: []string{"multi"}})
	got, err := r.Publish(ctx, "app", idx)
	if err != nil {
		t.Fatal(err)
	}
	if want := host + "/acme/app@" + digest(t, idx).String(); got != want {
		t.Errorf("Publish = %q, want %q", got, want)
	}
	ref, err := name.ParseReference(got)
	if err != nil {
		t.Fatal(err)
	}
	back, err := remote.Index(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(back); err != nil {
		t.Errorf("validate.Index: %v", err)
	}

	// Pull resolves the index to each platform's image.
	for _, p := range []v1.Platform{amd64, arm64} {
		img, err := Pull(ctx, host+"/acme/app:multi", p, anonymous)
		if err != nil {
			t.Fatalf("Pull %s: %v", p, err)
		}
		if digest(t, img) != digest(t, imgs[p.String()]) {
			t.Errorf("Pull %s gave %s, want %s", p, digest(t, img), digest(t, imgs[p.String()]))
		}
	}

	// A plain image must already be of the wanted platform.
	single := newRegistry(t, RegistryOptions{Repo: host + "/acme", Tags: []string{"amd64-only"}})
	amdImg := platformImage(t, amd64)
	if _, err := single.Publish(ctx, "app", amdImg); err != nil {
		t.Fatal(err)
	}
	img, err := Pull(ctx, host+"/acme/app:amd64-only", amd64, anonymous)
	if err != nil || digest(t, img) != digest(t, amdImg) {
		t.Errorf("Pull of a matching plain image: %v", err)
	}
	tests := []struct {
		name, ref string
		platform  v1.Platform
		want      []string
	}{
		{"wrong platform", host + "/acme/app:amd64-only", arm64, []string{"is linux/amd64, not linux/arm64"}},
		{"platform missing from index", host + "/acme/app:multi", v1.Platform{OS: "linux", Architecture: "s390x"}, []string{"pulling base image " + host + "/acme/app:multi"}},
		{"missing tag", host + "/acme/app:nope", amd64, []string{"pulling base image", "not found"}},
		{"missing repository", host + "/acme/none:v1", amd64, []string{"not found"}},
		{"invalid reference", "UPPER/x:v1", amd64, []string{`invalid base image "UPPER/x:v1"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Pull(ctx, tt.ref, tt.platform, anonymous)
			if err == nil {
				t.Fatal("Pull succeeded, want error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestRegistryPublishUnreachable(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
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
	srv := httptest.NewUnstartedServer(registry.New(registry.Logger(quiet)))
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

	insecure := newRegistry(t, RegistryOptions{Repo: u.Host + "/acme", Remote: RemoteOptions{Insecure: true}})
	got, err := insecure.Publish(context.Background(), "app", img)
	if err != nil {
		t.Fatalf("Publish with Insecure: %v", err)
	}
	if want := u.Host + "/acme/app@" + digest(t, img).String(); got != want {
		t.Errorf("Publish = %q, want %q", got, want)
	}
	pulled, err := Pull(context.Background(), u.Host+"/acme/app:latest", v1.Platform{}, RemoteOptions{Insecure: true, Keychain: anonymous.Keychain})
	if err != nil || digest(t, pulled) != digest(t, img) {
		t.Errorf("Pull with Insecure: %v", err)
	}
}
