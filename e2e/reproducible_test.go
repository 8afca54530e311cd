package e2e

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestReproducibleAcrossCheckouts builds the same commit from two separate
// checkouts with different working directories, HOME, GOPATH and TMPDIR,
// for two platforms, and compares the index and every platform's digest. On
// a mismatch it names the first file that differs.
func TestReproducibleAcrossCheckouts(t *testing.T) {
	bin, root := hoistBinary(t)
	var idx []v1.ImageIndex
	for i, place := range []string{"one", "two/nested/deeper"} {
		checkout := filepath.Join(t.TempDir(), place, "hoist")
		exportCheckout(t, root, checkout)
		scratch := t.TempDir()
		env := []string{
			"HOME=" + filepath.Join(scratch, "home"), "GOPATH=" + filepath.Join(scratch, "gopath"),
			"TMPDIR=" + mkdir(t, filepath.Join(scratch, "tmp")), "HOIST_CACHE=" + filepath.Join(scratch, "cache"),
			"GOMODCACHE=" + goEnv(t, "GOMODCACHE"), "GOCACHE=" + goEnv(t, "GOCACHE"),
			fmt.Sprintf("HOIST_REPRO_RUN=%d", i),
		}
		out := filepath.Join(scratch, "oci")
		runWithEnv(t, bin, checkout, env, "build", "--oci-layout", out, "--platform", "linux/amd64,linux/arm64", "./app")
		ii, only := onlyEntry(t, out)
		built, err := ii.ImageIndex(only.Digest)
		if err != nil {
			t.Fatal(err)
		}
		idx = append(idx, built)
	}
	compareIndexes(t, idx[0], idx[1])
}

func compareIndexes(t *testing.T, a, b v1.ImageIndex) {
	t.Helper()
	ma, _ := a.IndexManifest()
	mb, _ := b.IndexManifest()
	if len(ma.Manifests) != 2 || len(mb.Manifests) != 2 {
		t.Fatalf("want two platforms, got %d and %d", len(ma.Manifests), len(mb.Manifests))
	}
	for i := range ma.Manifests {
		da, db := ma.Manifests[i], mb.Manifests[i]
		t.Logf("%s: %s", da.Platform, da.Digest)
		if da.Digest != db.Digest {
			ia, _ := a.Image(da.Digest)
			ib, _ := b.Image(db.Digest)
			t.Errorf("%s differs between checkouts: %s vs %s; %s", da.Platform, da.Digest, db.Digest, firstDifference(t, ia, ib))
		}
	}
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Errorf("index digests differ: %s vs %s", da, db)
	}
}

// firstDifference names the first file whose bytes differ, or the config.
func firstDifference(t *testing.T, a, b v1.Image) string {
	fa, fb := fileHashes(t, a), fileHashes(t, b)
	for name, h := range fa {
		if fb[name] != h {
			return "first differing file: /" + name
		}
	}
	for name := range fb {
		if _, ok := fa[name]; !ok {
			return "file only in the second: /" + name
		}
	}
	ca, _ := a.RawConfigFile()
	cb, _ := b.RawConfigFile()
	if !bytes.Equal(ca, cb) {
		return fmt.Sprintf("files equal, configs differ:\n%s\n%s", ca, cb)
	}
	return "files and config equal: tar metadata differs"
}

func fileHashes(t *testing.T, img v1.Image) map[string]string {
	rc := mutate.Extract(img)
	defer rc.Close()
	out := map[string]string{}
	hoisttest.TarEntries(t, rc, func(h *tar.Header, body io.Reader) bool {
		sum := sha256.New()
		io.Copy(sum, body)
		out[h.Name] = fmt.Sprintf("%x %o %d:%d %v", sum.Sum(nil), h.Mode, h.Uid, h.Gid, h.PAXRecords)
		return true
	})
	return out
}

// exportCheckout clones the repository's HEAD, as a second machine checking
// out the same commit would; go stamps the commit into the binary and hoist
// into the labels, so both checkouts must carry the same git state.
func exportCheckout(t *testing.T, root, dst string) {
	t.Helper()
	if out, err := exec.Command("git", "clone", "--quiet", "--no-hardlinks", root, dst).CombinedOutput(); err != nil {
		t.Fatalf("cloning %s: %v\n%s", root, err, out)
	}
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func goEnv(t *testing.T, key string) string {
	t.Helper()
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// runWithEnv runs hoist with env added to the environment and returns its
// stdout.
func runWithEnv(t *testing.T, bin, dir string, env []string, args ...string) string {
	t.Helper()
	return hoisttest.MustRun(t, dir, cliEnv(t, env...), bin, args...).Stdout
}
