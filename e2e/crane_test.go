package e2e

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/cosigntest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/sign"
)

// TestPublishTaskKeepsDigest runs the publish task, the same one the
// publish workflow runs on every push to main, against a real Distribution
// registry. Promotion by digest is only safe if nothing on the way rewrites
// the index: the digest hoist wrote into the layout must be the one crane
// pushed, the one the tags name, and the one the promoted copy has, with
// every platform's image copied along. With SIGN_KEY, the signatures and
// attestations must have come along too: cosign verifies them at the
// promoted reference.
func TestPublishTaskKeepsDigest(t *testing.T) {
	cosign := cosigntest.Binary(t)
	host := registrytest.New(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	layout := filepath.Join(tmp, "layout")
	repo := host + "/ci"
	// The registry serves from this process: the task, a subprocess,
	// reaches it over loopback TCP like any client.
	key, pub := writeKeyPair(t, tmp, "publish-pw")
	cmd := exec.Command("go", "tool", "task", "publish", "REPO="+repo, "TAG=e2e",
		"LAYOUT="+layout, "HOIST="+filepath.Join(tmp, "hoist"), "SIGN_KEY="+key)
	var stdout, stderr bytes.Buffer
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, &stdout, &stderr
	cmd.Env = append(os.Environ(), "HOIST_PASSWORD=publish-pw", "COSIGN_PASSWORD=", "HOIST_SIGN_KEY=")
	if err := cmd.Run(); err != nil {
		t.Fatalf("go tool task publish: %v\n%s", err, stderr.String())
	}

	digest := layoutDigest(t, layout)
	if got, want := strings.TrimSpace(stdout.String()), repo+"/app@"+digest; got != want {
		t.Errorf("publish printed %q, want %q (the digest hoist wrote into the layout)\nstderr:\n%s", got, want, stderr.String())
	}
	for _, ref := range []string{repo + "/app:e2e", repo + "/app:latest", repo + "/promoted:e2e"} {
		if got := registrytest.Digest(t, ref).String(); got != digest {
			t.Errorf("%s = %s, want %s as hoist built it", ref, got, digest)
		}
	}
	promoted := repo + "/promoted:e2e"
	checkPromotedPlatforms(t, promoted, fileText(blobPath(layout, digest)))

	cosigntest.Verify(t, cosign, pub, promoted)
	cosigntest.Verify(t, cosign, pub, promoted, "--type", "slsaprovenance1")
	for _, child := range cosigntest.Images(t, repo+"/promoted@"+digest) {
		cosigntest.Verify(t, cosign, pub, child)
		cosigntest.Verify(t, cosign, pub, child, "--type", "spdxjson")
	}
	cosigntest.MustRun(t, root, nil, filepath.Join(tmp, "hoist"), "verify", "--key", pub, promoted)
}

// writeKeyPair writes an encrypted key pair as hoist keygen does.
func writeKeyPair(t *testing.T, dir, password string) (key, pub string) {
	t.Helper()
	priv, pubPEM, err := sign.GenerateKeyPair([]byte(password))
	if err != nil {
		t.Fatal(err)
	}
	key, pub = filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
	if err := os.WriteFile(key, priv, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, pubPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return key, pub
}

func drain(l v1.Layer) error {
	rc, err := l.Compressed()
	if err != nil {
		return fmt.Errorf("opening layer: %w", err)
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil {
		return fmt.Errorf("reading layer: %w", err)
	}
	return nil
}

// checkPromotedPlatforms requires the promoted index to list the platforms
// hoist's index lists and every image in it to be pullable from the
// promoted repository, not only from the one it was copied from.
func checkPromotedPlatforms(t *testing.T, ref, built string) {
	t.Helper()
	idx, m := registrytest.Index(t, ref)
	raw, err := idx.RawManifest()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := childDigests(t, string(raw)), childDigests(t, built); got != want || !strings.Contains(got, "linux/arm64=") {
		t.Fatalf("%s lists %s, want %s", ref, got, want)
	}
	for _, d := range m.Manifests {
		img, err := remote.Image(must(name.ParseReference(ref)).Context().Digest(d.Digest.String()))
		if err != nil {
			t.Fatalf("pulling %s's %s image: %v", ref, d.Platform, err)
		}
		layers, err := img.Layers()
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range layers {
			// Reading a blob to its end checks it against its digest.
			if err := drain(l); err != nil {
				t.Errorf("%s's %s image: %v", ref, d.Platform, err)
			}
		}
	}
}
