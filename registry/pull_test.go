package registry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/registry"
)

var (
	// anonymous never consults the host's docker config.
	anonymous = registry.Options{Keychain: authn.NewMultiKeychain()}
	amd64     = v1.Platform{OS: "linux", Architecture: "amd64"}
	arm64     = v1.Platform{OS: "linux", Architecture: "arm64"}
)

// TestPull resolves an index to each platform's image, takes a plain image
// of the wanted platform as it is, and refuses the rest in words that name
// the base image.
func TestPull(t *testing.T) {
	ctx := context.Background()
	host := registrytest.New(t)
	idx, imgs := registrytest.PlatformIndex(t, amd64, arm64)
	amdImg := registrytest.PlatformImage(t, amd64)
	registrytest.Write(t, host+"/acme/app:multi", idx)
	registrytest.Write(t, host+"/acme/app:amd64-only", amdImg)
	for _, p := range []v1.Platform{amd64, arm64} {
		img, err := registry.Pull(ctx, host+"/acme/app:multi", p, anonymous)
		if err != nil {
			t.Fatalf("Pull %s: %v", p, err)
		}
		if got, want := registrytest.DigestOf(t, img), registrytest.DigestOf(t, imgs[p.String()]); got != want {
			t.Errorf("Pull %s gave %s, want %s", p, got, want)
		}
	}
	img, err := registry.Pull(ctx, host+"/acme/app:amd64-only", amd64, anonymous)
	if err != nil || registrytest.DigestOf(t, img) != registrytest.DigestOf(t, amdImg) {
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
			_, err := registry.Pull(ctx, tt.ref, tt.platform, anonymous)
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
