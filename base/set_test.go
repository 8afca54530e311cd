package base_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/internal/hoisttest"
)

// fakeRegistry serves one random image for every platform, and counts pulls.
type fakeRegistry struct {
	img       v1.Image
	pulls     int
	platforms []v1.Platform
}

func (r *fakeRegistry) Pull(_ context.Context, _ string, _ v1.Platform) (v1.Image, error) {
	r.pulls++
	return r.img, nil
}

func (r *fakeRegistry) Platforms(context.Context, string) ([]v1.Platform, []string, error) {
	return r.platforms, []string{"windows/amd64"}, nil
}

// TestSet: each name is one kind of Base, a pulled one is pulled once per
// platform and named in the SBOM by the digest pulled, and the synthesized
// ones offer every supported platform.
func TestSet(t *testing.T) {
	ctx := context.Background()
	reg := &fakeRegistry{img: hoisttest.Must(t, func() (v1.Image, error) { return random.Image(64, 1) })}
	s := base.NewSet(ctx, base.Choice{Overrides: map[string]string{"example.com/m/a": "reg/a"}}, distroless(t, epoch, nil), reg, nil)
	if b := s.For("example.com/m/b"); b.Name() != base.DistrolessName || b.Pulled() {
		t.Errorf("default base %s (pulled %v), want the synthesized distroless", b.Name(), b.Pulled())
	}
	if b := s.Named(base.ScratchName); b.Name() != base.ScratchName || b.Components("go1.26") != nil {
		t.Errorf("scratch base %s adds %v to the SBOM", b.Name(), b.Components("go1.26"))
	}
	for _, name := range []string{base.DistrolessName, base.ScratchName} {
		if ps := hoisttest.Must(t, func() ([]v1.Platform, error) { return s.Named(name).Platforms(ctx) }); len(ps) != len(base.AllPlatforms) {
			t.Errorf("%s offers %d platforms, want all %d", name, len(ps), len(base.AllPlatforms))
		}
	}
	pulled := s.For("example.com/M/a")
	if pulled.Name() != "reg/a" || !pulled.Pulled() || s.Named("reg/a") != pulled {
		t.Fatalf("override base %s (pulled %v), want the one pulled reg/a", pulled.Name(), pulled.Pulled())
	}
	if c := pulled.Components(""); len(c) != 1 || c[0].Version != "" {
		t.Errorf("before a pull the SBOM names %+v, want the base without a digest", c)
	}
	p := v1.Platform{OS: "linux", Architecture: "arm64"}
	for range 2 {
		hoisttest.Must(t, func() (v1.Image, error) { return pulled.Image(ctx, p) })
	}
	if reg.pulls != 1 {
		t.Errorf("%d pulls for one platform, want 1", reg.pulls)
	}
	if c := pulled.Components(""); len(c) != 1 || c[0].Version != hoisttest.Must(t, reg.img.Digest).String() {
		t.Errorf("SBOM names %+v, want the pulled digest", c)
	}
	if _, err := pulled.Platforms(ctx); err == nil || !strings.Contains(err.Error(), "offers no linux platform") {
		t.Errorf("a base with no linux platform: %v", err)
	}
}
