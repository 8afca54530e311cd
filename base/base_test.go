package base_test

import (
	"archive/zip"
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/layers"
)

// tinyZoneinfo is a zoneinfo.zip with one zone, enough for the tzdata layer.
func tinyZoneinfo(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("UTC")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("TZif2")); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func distroless(t *testing.T, when time.Time, c *cache.Cache) *base.Distroless {
	zoneinfo := tinyZoneinfo(t)
	return base.NewDistroless(base.DistrolessOptions{
		Zoneinfo: func() ([]byte, error) { return zoneinfo, nil },
		Layers:   layers.Options{Time: when, Dir: t.TempDir()},
		Cache:    c,
	})
}

// TestDistrolessImages: the synthesized base on its own (hoist base), with
// and without a cache, is dated and shares its layers across platforms.
var epoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func TestDistrolessImages(t *testing.T) {
	c, err := cache.Open(t.TempDir(), 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	var digests []string
	for _, c := range []*cache.Cache{nil, c, c} {
		digests = append(digests, checkDistrolessImages(t, distroless(t, epoch, c)))
	}
	if digests[0] != digests[1] || digests[1] != digests[2] {
		t.Errorf("index digests without a cache, writing it and reading it: %v; want one", digests)
	}
	if _, err := base.Images(context.Background(), distroless(t, time.Time{}, nil), nil); err == nil {
		t.Error("no platform gave no error")
	}
}

func checkDistrolessImages(t *testing.T, b base.Base) string {
	t.Helper()
	when := epoch
	platforms := []v1.Platform{{OS: "linux", Architecture: "arm", Variant: "v7"}, {OS: "linux", Architecture: "amd64"}}
	imgs, err := base.Images(context.Background(), b, platforms)
	if err != nil {
		t.Fatal(err)
	}
	if len(imgs) != len(platforms) {
		t.Fatalf("got %d images for %d platforms", len(imgs), len(platforms))
	}
	var layerSets [][]v1.Hash
	for i, img := range imgs {
		if err := validate.Image(img); err != nil {
			t.Fatalf("%s: %v", platforms[i].String(), err)
		}
		cfg := hoisttest.Must(t, img.ConfigFile)
		if got := cfg.Platform().String(); got != platforms[i].String() {
			t.Errorf("image %d is %s, want %s", i, got, platforms[i].String())
		}
		if !cfg.Created.Time.Equal(when) || cfg.Config.User != "65532:65532" || !strings.Contains(strings.Join(cfg.Config.Env, " "), "SSL_CERT_FILE=") {
			t.Errorf("%s: created %v, user %q, env %q", platforms[i].String(), cfg.Created, cfg.Config.User, cfg.Config.Env)
		}
		for _, h := range cfg.History {
			if !h.Created.Time.Equal(when) {
				t.Errorf("%s: history %q dated %v, want %v", platforms[i].String(), h.CreatedBy, h.Created, when)
			}
		}
		layerSets = append(layerSets, hoisttest.LayerDigests(t, img))
	}
	if len(layerSets[0]) != 3 || !slices.Equal(layerSets[0], layerSets[1]) {
		t.Errorf("layers per platform %v; want the same three shared by every platform", layerSets)
	}
	d, err := imgs[0].Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func TestChoiceFor(t *testing.T) {
	c := base.Choice{Overrides: map[string]string{"example.com/m/cmd/a": "reg/a"}, Default: "reg/default"}
	for ip, want := range map[string]string{"example.com/M/cmd/a": "reg/a", "example.com/m/cmd/b": "reg/default"} {
		if got := c.For(ip); got != want {
			t.Errorf("For(%s) = %s, want %s", ip, got, want)
		}
	}
	c.Base = "forced"
	if got := c.For("example.com/m/cmd/a"); got != "forced" {
		t.Errorf("a base given to hoist must win: %s", got)
	}
	if got := (base.Choice{}).For("x"); got != base.DistrolessName {
		t.Errorf("default base %s", got)
	}
}
