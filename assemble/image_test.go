package assemble

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/layers"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

func appLayer(t *testing.T, name string) Layer {
	t.Helper()
	src := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(src, []byte("binary "+name), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := layers.New(context.Background(), []layers.Entry{layers.Binary(src, name)}, layers.Options{Time: created, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return Layer{Layer: l, History: "hoist: " + name + " binary"}
}

// pulledLikeBase is a distroless image with the runtime leftovers a pulled
// base carries: Cmd, Hostname, its own ports, labels and history times.
func pulledLikeBase(t *testing.T, p v1.Platform) v1.Image {
	t.Helper()
	img, err := Distroless(p, distrolessLayers(t), created)
	if err != nil {
		t.Fatal(err)
	}
	cfg := hoisttest.Must(t, img.ConfigFile).DeepCopy()
	cfg.Config.Cmd = []string{"/bin/sh"}
	cfg.Config.Hostname = "builder-42"
	cfg.Config.Domainname = "example.internal"
	cfg.Config.Env = append(cfg.Config.Env, "LANG=C.UTF-8")
	cfg.Config.ExposedPorts = map[string]struct{}{"9090/tcp": {}}
	cfg.Config.Labels = map[string]string{"base": "yes", "shared": "from base"}
	for i := range cfg.History {
		cfg.History[i].Created = v1.Time{Time: created.AddDate(-3, 0, i)}
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestImage(t *testing.T) {
	p := v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
	base := pulledLikeBase(t, p)
	app := appLayer(t, "app")
	img, err := Image(context.Background(), Options{
		Base:        base,
		Platform:    p,
		Layers:      []Layer{app},
		Entrypoint:  []string{"/ko-app/app"},
		User:        "1000:1000",
		WorkingDir:  "/srv",
		Env:         []string{"PATH=/ko-app", "KO_DATA_PATH=/var/run/ko"},
		Ports:       []string{"80/tcp"},
		Labels:      map[string]string{"org.opencontainers.image.title": "app", "shared": "from opts"},
		Annotations: map[string]string{"org.opencontainers.image.source": "https://example.com/app"},
		Created:     created,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("validate.Image: %v", err)
	}

	cfg := hoisttest.Must(t, img.ConfigFile)
	checkImageConfig(t, cfg)
	checkImageHistory(t, img, cfg, app)
	// The base is left as it was.
	if bc := hoisttest.Must(t, base.ConfigFile).Config; !reflect.DeepEqual(bc.Cmd, []string{"/bin/sh"}) || bc.Hostname != "builder-42" {
		t.Errorf("Image modified its base: %+v", bc)
	}
}

// checkImageConfig checks TestImage's options made it into the config,
// merged with the base's.
func checkImageConfig(t *testing.T, cfg *v1.ConfigFile) {
	t.Helper()
	c := cfg.Config
	if !reflect.DeepEqual(c.Entrypoint, []string{"/ko-app/app"}) || c.Cmd != nil {
		t.Errorf("Entrypoint %q Cmd %q, want [/ko-app/app] and no Cmd", c.Entrypoint, c.Cmd)
	}
	if c.User != "1000:1000" || c.WorkingDir != "/srv" {
		t.Errorf("User %q WorkingDir %q", c.User, c.WorkingDir)
	}
	wantEnv := []string{"PATH=/ko-app", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt", "LANG=C.UTF-8", "KO_DATA_PATH=/var/run/ko"}
	if !reflect.DeepEqual(c.Env, wantEnv) {
		t.Errorf("Env %q, want %q", c.Env, wantEnv)
	}
	if want := map[string]struct{}{"80/tcp": {}, "9090/tcp": {}}; !reflect.DeepEqual(c.ExposedPorts, want) {
		t.Errorf("ExposedPorts %v, want %v", c.ExposedPorts, want)
	}
	wantLabels := map[string]string{"base": "yes", "shared": "from opts", "org.opencontainers.image.title": "app"}
	if !reflect.DeepEqual(c.Labels, wantLabels) {
		t.Errorf("Labels %v, want %v", c.Labels, wantLabels)
	}
	if c.Hostname != "" || c.Domainname != "" {
		t.Errorf("Hostname %q Domainname %q, want both cleared", c.Hostname, c.Domainname)
	}
	if cfg.OS != "linux" || cfg.Architecture != "arm" || cfg.Variant != "v7" {
		t.Errorf("platform %s/%s/%s", cfg.OS, cfg.Architecture, cfg.Variant)
	}
}

// checkImageHistory: Created, and every history entry, is the given time in
// UTC, and the app layer comes last with its history and annotations.
func checkImageHistory(t *testing.T, img v1.Image, cfg *v1.ConfigFile, app Layer) {
	t.Helper()
	if !cfg.Created.Equal(created) {
		t.Errorf("Created %v, want %v", cfg.Created, created)
	}
	raw := hoisttest.Must(t, img.RawConfigFile)
	if !strings.Contains(string(raw), `"created":"2024-01-02T02:04:05Z"`) {
		t.Errorf("config does not record the creation time in UTC: %s", raw)
	}
	m := hoisttest.Must(t, img.Manifest)
	if len(cfg.History) != len(m.Layers) || len(m.Layers) != 4 {
		t.Fatalf("%d history entries for %d layers, want 4 each", len(cfg.History), len(m.Layers))
	}
	for i, h := range cfg.History {
		if !h.Created.Equal(created) {
			t.Errorf("history %d created %v, want %v", i, h.Created, created)
		}
		if !strings.HasPrefix(h.CreatedBy, "hoist: ") {
			t.Errorf("history %d CreatedBy %q", i, h.CreatedBy)
		}
	}
	if cfg.History[3].CreatedBy != "hoist: app binary" || m.Layers[3].Digest != hoisttest.Must(t, app.Layer.Digest) {
		t.Errorf("last layer %s (%q), want the app layer %s", m.Layers[3].Digest, cfg.History[3].CreatedBy, hoisttest.Must(t, app.Layer.Digest))
	}
	if want := map[string]string{"org.opencontainers.image.source": "https://example.com/app"}; !reflect.DeepEqual(m.Annotations, want) {
		t.Errorf("manifest annotations %v, want %v", m.Annotations, want)
	}
	if m.MediaType != types.OCIManifestSchema1 {
		t.Errorf("manifest media type %q", m.MediaType)
	}
}

func TestImageKeepsBaseSettingsWhenUnset(t *testing.T) {
	p := v1.Platform{OS: "linux", Architecture: "amd64"}
	base, err := Distroless(p, distrolessLayers(t), created)
	if err != nil {
		t.Fatal(err)
	}
	img, err := Image(context.Background(), Options{Base: base, Platform: p, Entrypoint: []string{"/x"}, Created: created})
	if err != nil {
		t.Fatal(err)
	}
	cfg := hoisttest.Must(t, img.ConfigFile)
	if cfg.Config.User != "65532:65532" || cfg.Config.WorkingDir != "/" {
		t.Errorf("User %q WorkingDir %q, want the base's", cfg.Config.User, cfg.Config.WorkingDir)
	}
	if cfg.Config.ExposedPorts != nil || cfg.Config.Labels != nil {
		t.Errorf("ExposedPorts %v Labels %v, want none", cfg.Config.ExposedPorts, cfg.Config.Labels)
	}
	if m := hoisttest.Must(t, img.Manifest); len(m.Annotations) != 0 {
		t.Errorf("annotations %v, want none", m.Annotations)
	}
	if len(cfg.History) != 3 {
		t.Errorf("%d history entries, want 3", len(cfg.History))
	}
}

func TestImageErrors(t *testing.T) {
	if _, err := Image(context.Background(), Options{}); err == nil || !strings.Contains(err.Error(), "no base image") {
		t.Errorf("no base: error %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	base, err := Scratch(v1.Platform{OS: "linux", Architecture: "amd64"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Image(ctx, Options{Base: base}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: error %v, want context.Canceled", err)
	}
}

func TestMergeEnv(t *testing.T) {
	tests := []struct {
		name      string
		base, add []string
		want      []string
	}{
		{"both empty", nil, nil, nil},
		{"nothing to add", []string{"A=1"}, nil, []string{"A=1"}},
		{"append", []string{"A=1"}, []string{"B=2"}, []string{"A=1", "B=2"}},
		{"override keeps position", []string{"A=1", "B=2", "C=3"}, []string{"B=x"}, []string{"A=1", "B=x", "C=3"}},
		{"override and append", []string{"PATH=/bin"}, []string{"FOO=bar", "PATH=/usr/bin"}, []string{"PATH=/usr/bin", "FOO=bar"}},
		{"later add wins", []string{"A=1"}, []string{"A=2", "A=3"}, []string{"A=3"}},
		{"repeated add without base", nil, []string{"A=2", "A=3"}, []string{"A=3"}},
		{"empty value overrides", []string{"A=1"}, []string{"A="}, []string{"A="}},
		{"value containing =", []string{"A=1"}, []string{"A=b=c"}, []string{"A=b=c"}},
		{"key prefix is another key", []string{"FOOBAR=1"}, []string{"FOO=2"}, []string{"FOOBAR=1", "FOO=2"}},
		{"case sensitive", []string{"path=1"}, []string{"PATH=2"}, []string{"path=1", "PATH=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := append([]string(nil), tt.base...)
			got := MergeEnv(base, tt.add)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("MergeEnv(%q, %q) = %q, want %q", tt.base, tt.add, got, tt.want)
			}
			if !reflect.DeepEqual(base, tt.base) {
				t.Errorf("MergeEnv modified its base: %q", base)
			}
		})
	}
}
