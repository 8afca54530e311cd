package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/hoist-build/hoist/internal/registrytest"
)

// pushed is an image hoist pushed: its tag reference and the digest hoist
// printed for it.
type pushed struct{ ref, digest string }

// pushApp has hoist build and push the sample app to host/repo/app:e2e.
func pushApp(t *testing.T, bin, root, host, repo string, extra ...string) pushed {
	t.Helper()
	args := append([]string{"build", "--repo", host + "/" + repo, "--tag", "e2e"}, extra...)
	lines := hoist(t, bin, root, append(args, "./app")...)
	if len(lines) != 1 || !strings.Contains(lines[0], "@sha256:") {
		t.Fatalf("hoist printed %q, want one digest reference", lines)
	}
	_, digest, _ := strings.Cut(lines[0], "@")
	return pushed{ref: host + "/" + repo + "/app:e2e", digest: digest}
}

// skopeo runs skopeo and requires it to say nothing on stderr.
func skopeo(t *testing.T, args ...string) string {
	t.Helper()
	stdout, stderr := runTool(t, "", "skopeo", args...)
	requireSilentStderr(t, "skopeo "+strings.Join(args, " "), stderr)
	return stdout
}

// TestSkopeoInspectsImageAndIndex reads a single image and a two-platform
// index back through containers/image, the library behind skopeo, podman
// and CRI-O: both must parse without a warning, resolve to the digests
// hoist printed, and carry the platform each manifest is for.
func TestSkopeoInspectsImageAndIndex(t *testing.T) {
	requireTools(t, "skopeo")
	bin, root := hoistBinary(t)
	host := registrytest.New(t)
	single := pushApp(t, bin, root, host, "single")
	multi := pushApp(t, bin, root, host, "multi", "--platform", "linux/amd64,linux/arm64")

	var img struct {
		Digest, Architecture, Os string
		Layers                   []string
	}
	decode(t, skopeo(t, "inspect", "--tls-verify=false", "docker://"+single.ref), &img)
	if img.Digest != single.digest || img.Os != "linux" || img.Architecture != "amd64" || len(img.Layers) == 0 {
		t.Errorf("skopeo inspect %s = %+v, want digest %s, linux/amd64, layers", single.ref, img, single.digest)
	}

	raw := skopeo(t, "inspect", "--tls-verify=false", "--raw", "docker://"+multi.ref)
	if sum := sha256.Sum256([]byte(raw)); "sha256:"+hex.EncodeToString(sum[:]) != multi.digest {
		t.Errorf("the index skopeo read does not hash to %s:\n%s", multi.digest, raw)
	}
	var index indexDoc
	decode(t, raw, &index)
	platforms := index.platforms(false)
	if index.MediaType != "application/vnd.oci.image.index.v1+json" || strings.Join(platforms, ",") != "linux/amd64,linux/arm64" {
		t.Fatalf("index = %s %v, want an OCI index of linux/amd64,linux/arm64", index.MediaType, platforms)
	}
	// Without --raw skopeo follows the index to the image for the platform
	// asked for, which only works when the index's platform fields match
	// the configs; Digest stays the index's.
	for _, arch := range []string{"amd64", "arm64"} {
		var picked struct{ Digest, Architecture, Os string }
		decode(t, skopeo(t, "inspect", "--tls-verify=false", "--override-arch", arch, "docker://"+multi.ref), &picked)
		if picked.Architecture != arch || picked.Os != "linux" || picked.Digest != multi.digest {
			t.Errorf("skopeo inspect --override-arch %s = %+v, want linux/%s under %s", arch, picked, arch, multi.digest)
		}
	}
}

// TestSkopeoCopyAndUmociUnpack copies the image into an OCI layout with
// skopeo and unpacks it with umoci, an unpacker written apart from
// containerd's: the rootfs must hold the binary with its mode and file
// capability, and the runtime config umoci derives must run it as nonroot.
func TestSkopeoCopyAndUmociUnpack(t *testing.T) {
	requireTools(t, "skopeo", "umoci")
	bin, root := hoistBinary(t)
	host := registrytest.New(t)
	single := pushApp(t, bin, root, host, "single")
	layout := filepath.Join(t.TempDir(), "oci")
	skopeo(t, "copy", "--src-tls-verify=false", "docker://"+single.ref, "oci:"+layout+":e2e")
	if got := layoutDigest(t, layout); got != single.digest {
		t.Errorf("skopeo copied %s as %s: the manifest was rewritten", single.digest, got)
	}

	bundle := filepath.Join(t.TempDir(), "bundle")
	_, stderr := runTool(t, "", "umoci", "unpack", "--image", layout+":e2e", bundle)
	requireSilentStderr(t, "umoci unpack", stderr)
	rootfs := filepath.Join(bundle, "rootfs")
	checkBinary(t, filepath.Join(rootfs, "ko-app", "app"))
	passwd, err := os.ReadFile(filepath.Join(rootfs, "etc", "passwd"))
	if err != nil || !strings.Contains(string(passwd), "\nnonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd lacks nonroot 65532 (%v):\n%s", err, passwd)
	}
	var spec struct {
		Process struct {
			User struct{ UID, GID int }
			Args []string
		}
	}
	decode(t, fileText(filepath.Join(bundle, "config.json")), &spec)
	if spec.Process.User.UID != 65532 || spec.Process.User.GID != 65532 || strings.Join(spec.Process.Args, " ") != "/ko-app/app" {
		t.Errorf("umoci's runtime config runs %v as %d:%d, want /ko-app/app as 65532:65532",
			spec.Process.Args, spec.Process.User.UID, spec.Process.User.GID)
	}
}

// TestSkopeoCopiesIndex copies both platforms of an index into an OCI
// layout: skopeo must take it without a warning and keep every platform's
// image bit for bit.
func TestSkopeoCopiesIndex(t *testing.T) {
	requireTools(t, "skopeo")
	bin, root := hoistBinary(t)
	host := registrytest.New(t)
	multi := pushApp(t, bin, root, host, "multi", "--platform", "linux/amd64,linux/arm64")
	want := skopeo(t, "inspect", "--tls-verify=false", "--raw", "docker://"+multi.ref)
	layout := filepath.Join(t.TempDir(), "oci")
	skopeo(t, "copy", "--all", "--src-tls-verify=false", "docker://"+multi.ref, "oci:"+layout+":e2e")
	got, err := os.ReadFile(blobPath(layout, layoutDigest(t, layout)))
	if err != nil {
		t.Fatal(err)
	}
	if childDigests(t, string(got)) != childDigests(t, want) {
		t.Errorf("copied index lists %s, pushed index %s", childDigests(t, string(got)), childDigests(t, want))
	}
	// The index itself must survive too: containers/image rewrites an index
	// whose entries carry artifactType, which hoist therefore leaves out.
	if copied := layoutDigest(t, layout); copied != multi.digest {
		t.Errorf("skopeo copy --all changed the index digest: %s, pushed %s", copied, multi.digest)
	}
	// The platform the host runs is also what a plain copy picks.
	plain := filepath.Join(t.TempDir(), "oci")
	skopeo(t, "copy", "--src-tls-verify=false", "docker://"+multi.ref, "oci:"+plain+":e2e")
	var idx struct {
		Manifests []struct {
			Digest   string
			Platform struct{ Architecture string }
		}
	}
	decode(t, want, &idx)
	for _, m := range idx.Manifests {
		if m.Platform.Architecture == runtime.GOARCH && layoutDigest(t, plain) != m.Digest {
			t.Errorf("plain copy took %s, want the %s image %s", layoutDigest(t, plain), runtime.GOARCH, m.Digest)
		}
	}
}

// checkBinary checks the unpacked app: read and execute for all, writable
// by none, and the file capability cap_net_bind_service=+ep as the 20-byte
// vfs_cap_data revision 2: magic 0x02000000 with the effective bit 0x1,
// then permitted bit 10 (NET_BIND_SERVICE), little-endian.
func checkBinary(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatalf("the unpacked image has no %s: %v", path, err)
	}
	if fi.Mode() != 0o555 {
		t.Errorf("%s mode = %v, want -r-xr-xr-x", path, fi.Mode())
	}
	want := []byte{0x01, 0, 0, 0x02, 0, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	got := make([]byte, 64)
	n, err := unix.Getxattr(path, "security.capability", got)
	if err != nil {
		t.Fatalf("reading security.capability of %s: %v", path, err)
	}
	if !bytes.Equal(got[:n], want) {
		t.Errorf("security.capability = %x, want %x (cap_net_bind_service=+ep)", got[:n], want)
	}
}

// layoutDigest returns the digest of the one manifest an OCI layout's
// index.json names.
func layoutDigest(t *testing.T, layout string) string {
	t.Helper()
	var index struct{ Manifests []struct{ Digest string } }
	decode(t, fileText(filepath.Join(layout, "index.json")), &index)
	if len(index.Manifests) != 1 {
		t.Fatalf("%s/index.json names %d manifests, want 1", layout, len(index.Manifests))
	}
	return index.Manifests[0].Digest
}

func blobPath(layout, digest string) string {
	algo, encoded, _ := strings.Cut(digest, ":")
	return filepath.Join(layout, "blobs", algo, encoded)
}

// indexDoc is what the tests read of an OCI index, decoded apart from
// ggcr, as another client would.
type indexDoc struct {
	MediaType string
	Manifests []struct {
		Digest   string
		Platform struct{ OS, Architecture string }
	}
}

// platforms lists the entries as "os/arch", or "os/arch=digest".
func (x indexDoc) platforms(withDigest bool) []string {
	var out []string
	for _, m := range x.Manifests {
		p := m.Platform.OS + "/" + m.Platform.Architecture
		if withDigest {
			p += "=" + m.Digest
		}
		out = append(out, p)
	}
	return out
}

// childDigests lists an index's manifests as "platform=digest" pairs.
func childDigests(t *testing.T, index string) string {
	t.Helper()
	var idx indexDoc
	decode(t, index, &idx)
	return strings.Join(idx.platforms(true), " ")
}

func decode(t *testing.T, data string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(data), v); err != nil {
		t.Fatalf("decoding %T: %v\n%s", v, err, data)
	}
}
