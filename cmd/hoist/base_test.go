package main

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/publish"
)

// TestBasePublishesIndex pushes the base for every default platform and
// reads it back from the registry as a client would.
func TestBasePublishesIndex(t *testing.T) {
	host := registrytest.New(t)
	out, err := runHoist(t, t.TempDir(), "", "base", "--repo", host+"/hoist", "--tag", "v1")
	if err != nil {
		t.Fatal(err)
	}
	ref := strings.TrimSpace(out)
	if !strings.HasPrefix(ref, host+"/hoist/"+baseImageName+"@sha256:") || strings.Count(out, "\n") != 1 {
		t.Fatalf("stdout = %q, want one digest reference into %s/hoist/%s", out, host, baseImageName)
	}
	idx, _ := registrytest.Index(t, host+"/hoist/"+baseImageName+":v1")
	if d, _ := idx.Digest(); !strings.HasSuffix(ref, d.String()) {
		t.Errorf("tag v1 is %s, not the printed %s", d, ref)
	}
	platforms, imgs := registrytest.IndexImages(t, idx)
	var got []string
	for i, p := range platforms {
		got = append(got, p.String())
		checkBaseImage(t, imgs[i], p)
	}
	want := slices.Clone(base.AllPlatforms)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("platforms = %q, want %q", got, want)
	}
}

// checkBaseImage holds an image to what ko and a Dockerfile expect of a
// base: the platform it claims, the non-root user, PATH and the CA bundle's
// location, and the three base layers with their history.
func checkBaseImage(t *testing.T, img v1.Image, p v1.Platform) {
	t.Helper()
	cfg := hoisttest.Must(t, img.ConfigFile)
	c := cfg.Config
	hoisttest.CheckFields(t, p.String(), hoisttest.Fields{
		{"platform", cfg.Platform().String(), p.String()},
		{"user", c.User, "65532:65532"},
		{"workdir", c.WorkingDir, "/"},
		{"env", strings.Join(c.Env, " "), "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"},
		{"entrypoint", len(c.Entrypoint) + len(c.Cmd), 0},
		{"layers", len(hoisttest.LayerDigests(t, img)), 3},
		{"history", len(cfg.History), 3},
		{"created", cfg.Created.Time.Equal(time.Unix(0, 0)), true},
	})
}

func TestBaseDestinations(t *testing.T) {
	host := registrytest.New(t)
	cases := []struct {
		name string
		args []string
		err  string
	}{
		{"layout, one platform", []string{"--oci-layout", "out", "--platform", "linux/arm64"}, ""},
		{"bare repository", []string{"--repo", host + "/base", "--bare", "--platform", "linux/amd64,linux/arm/v7"}, ""},
		{"tarball, default platforms", []string{"--tarball", "base.tar"}, ""},
		{"tarball of every platform", []string{"--tarball", "base.tar", "--platform", "all"}, "one platform"},
		{"unknown platform", []string{"--oci-layout", "out", "--platform", "linux/sparc"}, "linux/sparc"},
		{"application flag", []string{"--oci-layout", "out", "--port", "8080"}, "--port shapes an application image, not the base"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out, err := runHoist(t, dir, "", append([]string{"base"}, tc.args...)...)
			if hoisttest.Failed(t, out, err, tc.err) {
				return
			}
			switch {
			case strings.HasPrefix(out, "out@sha256:"):
				checkLayoutBase(t, dir)
			case strings.HasPrefix(out, host+"/base@sha256:"):
				if _, m := registrytest.Index(t, strings.TrimSpace(out)); len(m.Manifests) != 2 {
					t.Fatalf("index manifest %v; want two platforms", m)
				}
			case strings.HasPrefix(out, "base.tar@sha256:"):
				img, err := tarball.ImageFromPath(filepath.Join(dir, "base.tar"), nil)
				if err != nil {
					t.Fatal(err)
				}
				cfg, err := img.ConfigFile()
				if err != nil || cfg.Architecture != runtime.GOARCH {
					t.Fatalf("tarball image for %v, %v; want the host's %s", cfg.Architecture, err, runtime.GOARCH)
				}
			default:
				t.Fatalf("stdout = %q", out)
			}
		})
	}
}

// checkLayoutBase finds the single-platform base in the layout by the name
// skopeo and crane select it by.
func checkLayoutBase(t *testing.T, dir string) {
	t.Helper()
	idx, m := registrytest.LayoutIndex(t, dir+"/out")
	if len(m.Manifests) != 1 {
		t.Fatalf("layout index %v; want one entry", m)
	}
	if got := m.Manifests[0].Annotations[publish.RefNameAnnotation]; got != baseImageName+":latest" {
		t.Errorf("layout names the base %q, want %s:latest", got, baseImageName)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Fatalf("image does not validate: %v", err)
	}
	checkBaseImage(t, img, v1.Platform{OS: "linux", Architecture: "arm64"})
}

// TestBaseUnderBuild builds on the published base as a pulled base: the
// image must start with exactly the layers a build on the synthesized base
// gets, so switching between the two changes nothing in the image.
func TestBaseUnderBuild(t *testing.T) {
	host := registrytest.New(t)
	dir := svcModule(t, nil)
	base, err := runHoist(t, dir, "", "base", "--repo", host+"/hoist", "--platform", "linux/amd64,linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	layersOf := func(baseFlag, tag string) []v1.Hash {
		out, err := runHoist(t, dir, "", "build", "--repo", host+"/app", "--tag", tag, "--base", baseFlag,
			"--platform", "linux/arm64", "--cache-dir", t.TempDir(), "./cmd/api")
		if err != nil {
			t.Fatal(err)
		}
		return hoisttest.LayerDigests(t, registrytest.Image(t, out))
	}
	pulled := layersOf(strings.TrimSpace(base), "pulled")
	synthesized := layersOf("distroless", "synthesized")
	if len(pulled) != 4 || !slices.Equal(pulled, synthesized) {
		t.Errorf("layers on the published base %v, on the synthesized base %v; want the same four", pulled, synthesized)
	}
}
