package e2e

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// layoutBinaries maps "app platform" to the binary's sha256 and its
// security.capability xattr, for every image of an OCI layout.
func layoutBinaries(t *testing.T, dir string) map[string]string {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("reading layout %s: %v", dir, err)
	}
	out := map[string]string{}
	walkIndex(t, idx, out)
	return out
}

func walkIndex(t *testing.T, idx v1.ImageIndex, out map[string]string) {
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Manifests {
		if d.MediaType.IsIndex() {
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			walkIndex(t, child, out)
			continue
		}
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		app, sum := appBinary(t, img)
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		p := v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
		out[app+" "+p.String()] = sum
	}
}

// appBinary finds the binary under /ko-app in the image's last layers.
func appBinary(t *testing.T, img v1.Image) (name, sum string) {
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i := len(ls) - 1; i >= 0 && name == ""; i-- {
		hoisttest.LayerEntries(t, ls[i], func(h *tar.Header, body io.Reader) bool {
			p := strings.TrimPrefix(h.Name, "/")
			if h.Typeflag != tar.TypeReg || !strings.HasPrefix(p, "ko-app/") {
				return true
			}
			name, sum = strings.TrimPrefix(p, "ko-app/"), binarySum(t, h, body)
			return false
		})
	}
	if name == "" {
		t.Fatal("no /ko-app binary in the image")
	}
	return name, sum
}

// binarySum is the binary's sha256 (short) and its security.capability
// xattr; with keep set, the binary is also written there.
func binarySum(t *testing.T, h *tar.Header, body io.Reader) string {
	hash := sha256.New()
	var w io.Writer = hash
	if keep != "" {
		f, err := os.CreateTemp(keep, "bin")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		w = io.MultiWriter(hash, f)
	}
	if _, err := io.Copy(w, body); err != nil {
		t.Fatal(err)
	}
	capx := hex.EncodeToString([]byte(h.PAXRecords["SCHILY.xattr.security.capability"]))
	return fmt.Sprintf("sha256:%x cap:%s", hash.Sum(nil)[:8], capx)
}

// buildInfo is `go version -m` of every binary in a layout, to show how
// two builds differed.
func buildInfo(t *testing.T, dir string) string {
	var out strings.Builder
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		return err.Error()
	}
	bins := map[string]string{}
	keep = t.TempDir()
	defer func() { keep = "" }()
	walkIndex(t, idx, bins)
	files, _ := filepath.Glob(filepath.Join(keep, "*"))
	for _, f := range files {
		b, _ := exec.Command("go", "version", "-m", f).CombinedOutput()
		out.Write(b)
	}
	return out.String()
}

// keep, when set, is where appBinary also writes the binaries it reads.
var keep string

func describeBinaries(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %s = %s", k, m[k])
	}
	return b.String()
}
