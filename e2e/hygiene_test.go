package e2e

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

// TestImageHygiene builds app with a canary in the environment and checks
// the distroless promises: no shell or package manager, root-owned files but
// for the nonroot home, nothing world-writable but /tmp, and no trace of the
// build machine (paths, user, environment) in any layer or in the config.
func TestImageHygiene(t *testing.T) {
	bin, root := hoistBinary(t)
	scratch := t.TempDir()
	canary := fmt.Sprintf("hoist-canary-%d", os.Getpid())
	out := filepath.Join(scratch, "oci")
	runWithEnv(t, bin, root, []string{"HOIST_CANARY=" + canary, "TMPDIR=" + mkdir(t, filepath.Join(scratch, "tmp"))},
		"build", "--oci-layout", out, "./app")
	img := onlyImage(t, out)
	if err := validate.Image(img); err != nil {
		t.Fatalf("image does not validate: %v", err)
	}
	home, _ := os.UserHomeDir()
	forbidden := []string{canary, root, scratch, goEnv(t, "GOMODCACHE"), goEnv(t, "GOCACHE")}
	if home != "/root" && home != "" { // /root is also the image's own root home
		forbidden = append(forbidden, home)
	}
	if host, err := os.Hostname(); err == nil && len(host) > 4 {
		forbidden = append(forbidden, host)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	checkNoTrace(t, "config", cfg, forbidden)
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range ls {
		checkLayerHygiene(t, i, l, forbidden)
	}
}

func onlyImage(t *testing.T, dir string) v1.Image {
	t.Helper()
	ii, only := onlyEntry(t, dir)
	img, err := ii.Image(only.Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// onlyEntry opens an OCI layout that must list exactly one artifact.
func onlyEntry(t *testing.T, dir string) (v1.ImageIndex, v1.Descriptor) {
	t.Helper()
	ii, m := registrytest.LayoutIndex(t, dir)
	if len(m.Manifests) != 1 {
		t.Fatalf("layout %s lists %d entries, want exactly one", dir, len(m.Manifests))
	}
	return ii, m.Manifests[0]
}

var shells = []string{"bin/sh", "bin/bash", "bin/ash", "bin/busybox", "usr/bin/apt", "usr/bin/dpkg", "sbin/apk", "usr/bin/apt-get"}

func checkLayerHygiene(t *testing.T, i int, l v1.Layer, forbidden []string) {
	t.Helper()
	hoisttest.LayerEntries(t, l, func(h *tar.Header, body io.Reader) bool {
		name := strings.TrimSuffix(h.Name, "/")
		if slices.Contains(shells, name) {
			t.Errorf("layer %d ships %s", i, name)
		}
		nonrootHome := name == "home/nonroot"
		if (h.Uid != 0 || h.Gid != 0) && !nonrootHome {
			t.Errorf("layer %d: /%s owned by %d:%d, want root", i, name, h.Uid, h.Gid)
		}
		if h.Mode&0o002 != 0 && h.Typeflag != tar.TypeSymlink && name != "tmp" {
			t.Errorf("layer %d: /%s is world-writable (%o)", i, name, h.Mode)
		}
		var data bytes.Buffer
		io.Copy(&data, body)
		checkNoTrace(t, fmt.Sprintf("layer %d /%s", i, name), append([]byte(name+h.Linkname), data.Bytes()...), forbidden)
		return true
	})
}

func checkNoTrace(t *testing.T, where string, data []byte, forbidden []string) {
	t.Helper()
	for _, f := range forbidden {
		if f != "" && bytes.Contains(data, []byte(f)) {
			t.Errorf("%s contains %q from the build machine", where, f)
		}
	}
}
