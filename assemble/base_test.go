package assemble

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/layers"
)

var created = time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))

func distrolessLayers(t *testing.T) []Layer {
	t.Helper()
	ls, err := DistrolessLayers(context.Background(), hoisttest.Zoneinfo(t), layers.Options{Time: created})
	if err != nil {
		t.Fatalf("DistrolessLayers: %v", err)
	}
	return ls
}

// tarNames lists the paths in a layer.
func tarNames(t *testing.T, l v1.Layer) map[string]bool {
	t.Helper()
	rc := hoisttest.Must(t, l.Uncompressed)
	defer rc.Close()
	tr := tar.NewReader(rc)
	out := map[string]bool{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = true
	}
}

func TestDistrolessLayers(t *testing.T) {
	ls := distrolessLayers(t)
	want := []struct {
		history string
		has     string
	}{
		{"base files", "etc/passwd"},
		{"CA certificates", "etc/ssl/certs/ca-certificates.crt"},
		{"tzdata", "usr/share/zoneinfo/Europe/Berlin"},
	}
	if len(ls) != len(want) {
		t.Fatalf("%d layers, want %d", len(ls), len(want))
	}
	for i, w := range want {
		if !strings.HasPrefix(ls[i].History, "hoist: "+w.history) {
			t.Errorf("layer %d history %q, want it to start with %q", i, ls[i].History, "hoist: "+w.history)
		}
		if names := tarNames(t, ls[i].Layer); !names[w.has] {
			t.Errorf("layer %d (%s) lacks %s", i, w.history, w.has)
		}
		if err := validate.Layer(ls[i].Layer); err != nil {
			t.Errorf("layer %d: %v", i, err)
		}
	}
	// Platform independent and reproducible: a second run is identical.
	again := distrolessLayers(t)
	for i := range ls {
		if hoisttest.Must(t, ls[i].Layer.Digest) != hoisttest.Must(t, again[i].Layer.Digest) {
			t.Errorf("layer %d digest differs between runs", i)
		}
	}
}

func TestDistrolessLayersErrors(t *testing.T) {
	if _, err := DistrolessLayers(context.Background(), []byte("not a zip"), layers.Options{}); err == nil || !strings.Contains(err.Error(), "zoneinfo.zip") {
		t.Errorf("bad zoneinfo: error %v, want one mentioning zoneinfo.zip", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := DistrolessLayers(ctx, hoisttest.Zoneinfo(t), layers.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: error %v, want context.Canceled", err)
	}
}

func TestDistroless(t *testing.T) {
	base := distrolessLayers(t)
	platforms := []v1.Platform{
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm64", Variant: "v8"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
		{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348.1"},
	}
	for _, p := range platforms {
		t.Run(p.String(), func(t *testing.T) {
			img, err := Distroless(p, base, created)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(img); err != nil {
				t.Fatalf("validate.Image: %v", err)
			}
			cfg := hoisttest.Must(t, img.ConfigFile)
			got := v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant, OSVersion: cfg.OSVersion}
			if !reflect.DeepEqual(got, p) {
				t.Errorf("platform %+v, want %+v", got, p)
			}
			wantEnv := []string{
				"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
				"SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
			}
			if !reflect.DeepEqual(cfg.Config.Env, wantEnv) {
				t.Errorf("Env %q, want %q", cfg.Config.Env, wantEnv)
			}
			if cfg.Config.User != "65532:65532" || cfg.Config.WorkingDir != "/" {
				t.Errorf("User %q WorkingDir %q, want 65532:65532 and /", cfg.Config.User, cfg.Config.WorkingDir)
			}
			if mt, _ := img.MediaType(); mt != types.MediaType("application/vnd.oci.image.manifest.v1+json") {
				t.Errorf("manifest media type %q", mt)
			}
			m := hoisttest.Must(t, img.Manifest)
			if m.Config.MediaType != types.MediaType("application/vnd.oci.image.config.v1+json") {
				t.Errorf("config media type %q", m.Config.MediaType)
			}
			if len(m.Layers) != 3 || len(cfg.RootFS.DiffIDs) != 3 || len(cfg.History) != 3 {
				t.Fatalf("%d layers, %d diff IDs, %d history entries; want 3 each", len(m.Layers), len(cfg.RootFS.DiffIDs), len(cfg.History))
			}
			for i, l := range base {
				if m.Layers[i].Digest != hoisttest.Must(t, l.Layer.Digest) {
					t.Errorf("layer %d is %s, want %s", i, m.Layers[i].Digest, hoisttest.Must(t, l.Layer.Digest))
				}
				if cfg.History[i].CreatedBy != l.History || cfg.History[i].EmptyLayer {
					t.Errorf("history %d = %+v, want CreatedBy %q", i, cfg.History[i], l.History)
				}
			}
		})
	}
}

func TestScratch(t *testing.T) {
	p := v1.Platform{OS: "linux", Architecture: "s390x"}
	img, err := Scratch(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}
	cfg := hoisttest.Must(t, img.ConfigFile)
	if cfg.OS != "linux" || cfg.Architecture != "s390x" {
		t.Errorf("platform %s/%s", cfg.OS, cfg.Architecture)
	}
	if m := hoisttest.Must(t, img.Manifest); len(m.Layers) != 0 || m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("manifest %+v, want an OCI manifest without layers", m)
	}
	if len(cfg.Config.Env) != 0 || cfg.Config.User != "" {
		t.Errorf("scratch config %+v, want empty", cfg.Config)
	}
}
