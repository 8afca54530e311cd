package publish

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

var (
	randomImage   = registrytest.RandomImage
	platformImage = registrytest.PlatformImage
	platformIndex = registrytest.PlatformIndex
	digest        = registrytest.DigestOf
)

// failingLayer is a layer whose descriptor is known but whose bytes cannot
// be read, as when a layer file vanished: publishing it must fail partway.
type failingLayer struct{ v1.Layer }

var errBlob = errors.New("blob unavailable")

func (failingLayer) Compressed() (io.ReadCloser, error)   { return nil, errBlob }
func (failingLayer) Uncompressed() (io.ReadCloser, error) { return nil, errBlob }

func brokenImage(t *testing.T) v1.Image {
	t.Helper()
	l, err := random.Layer(128, types.DockerLayer)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(randomImage(t), failingLayer{l})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// notAnArtifact is Taggable but neither an image nor an index.
type notAnArtifact struct{}

func (notAnArtifact) RawManifest() ([]byte, error) { return []byte("{}"), nil }

func TestImageName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"github.com/acme/svc/cmd/api", "api"},
		{"github.com/acme/svc/cmd/MyAPI", "myapi"},
		{"example.com/Single", "single"},
		{"main", "main"},
		{"github.com/acme/svc/v2", "v2"},
		{"github.com/Acme/svc", "svc"},
	}
	for _, tt := range tests {
		if got := ImageName(tt.in); got != tt.want {
			t.Errorf("ImageName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidateTags(t *testing.T) {
	tests := []struct {
		name    string
		tags    []string
		wantBad string // the tag the error must name; "" for no error
	}{
		{"none", nil, ""},
		{"typical", []string{"latest", "v1.2.3", "1.0_rc-1", "_x", "A"}, ""},
		{"128 characters", []string{strings.Repeat("a", 128)}, ""},
		{"129 characters", []string{strings.Repeat("a", 129)}, strings.Repeat("a", 129)},
		{"empty", []string{""}, `""`},
		{"leading colon", []string{":bad"}, ":bad"},
		{"colon inside", []string{"a:b"}, "a:b"},
		{"leading dash", []string{"-x"}, "-x"},
		{"leading dot", []string{".x"}, ".x"},
		{"slash", []string{"a/b"}, "a/b"},
		{"space", []string{"a b"}, "a b"},
		{"at sign", []string{"a@sha256"}, "a@sha256"},
		{"trailing newline", []string{"a\n"}, `"a\n"`},
		{"non-ASCII", []string{"vé"}, "vé"},
		{"one bad among good", []string{"v1", "-bad", "v2"}, "-bad"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateTags(tt.tags)
			if tt.wantBad == "" {
				if err != nil {
					t.Errorf("ValidateTags(%q) = %v, want nil", tt.tags, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "invalid tag") || !strings.Contains(err.Error(), tt.wantBad) {
				t.Errorf("ValidateTags(%q) = %v, want an invalid tag error naming %s", tt.tags, err, tt.wantBad)
			}
		})
	}
}

func TestNewRegistry(t *testing.T) {
	tests := []struct {
		name    string
		opts    RegistryOptions
		wantErr string
	}{
		{"registry and path", RegistryOptions{Repo: "ghcr.io/acme"}, ""},
		{"port", RegistryOptions{Repo: "localhost:5000/x", Tags: []string{"v1"}}, ""},
		{"upper case", RegistryOptions{Repo: "UPPER/x"}, `invalid repository "UPPER/x"`},
		{"upper case path", RegistryOptions{Repo: "ghcr.io/Acme"}, `invalid repository "ghcr.io/Acme"`},
		{"empty", RegistryOptions{Repo: ""}, `invalid repository ""`},
		{"space", RegistryOptions{Repo: "ghcr.io/a b"}, "invalid repository"},
		{"tag instead of repository", RegistryOptions{Repo: "ghcr.io/acme:v1"}, "invalid repository"},
		{"bad tag", RegistryOptions{Repo: "ghcr.io/acme", Tags: []string{"-x"}}, `invalid tag "-x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewRegistry(tt.opts)
			if !hoisttest.WantErrorLine(t, err, tt.wantErr) && r == nil {
				t.Fatal("NewRegistry returned neither a registry nor an error")
			}
		})
	}
}

func TestRegistryRepository(t *testing.T) {
	tests := []struct {
		opts RegistryOptions
		want string
	}{
		{RegistryOptions{Repo: "ghcr.io/acme"}, "ghcr.io/acme/app"},
		{RegistryOptions{Repo: "ghcr.io/acme/app-image", Bare: true}, "ghcr.io/acme/app-image"},
		{RegistryOptions{Repo: "localhost:5000/a/b"}, "localhost:5000/a/b/app"},
	}
	for _, tt := range tests {
		r, err := NewRegistry(tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		repo, err := r.Repository("app")
		if err != nil || repo.String() != tt.want {
			t.Errorf("Repository(app) with %+v = %v, %v; want %s", tt.opts, repo, err, tt.want)
		}
	}
	r, err := NewRegistry(RegistryOptions{Repo: "ghcr.io/acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Repository("Bad Name"); err == nil || !strings.Contains(err.Error(), "invalid image name") {
		t.Errorf("Repository(\"Bad Name\") error %v", err)
	}
}

func TestPublishNotAnArtifact(t *testing.T) {
	l := &Layout{Dir: t.TempDir()}
	_, err := l.Publish(context.Background(), "app", notAnArtifact{})
	if err == nil || !strings.Contains(err.Error(), "neither an image nor an index") {
		t.Errorf("Layout.Publish(non-artifact) error %v", err)
	}
}
