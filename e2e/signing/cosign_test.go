package signing

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/cosigntest"
	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

func TestMain(m *testing.M) { hoisttest.Main(m) }

// signatureLayers counts the layers of ref's cosign signature image.
func signatureLayers(t *testing.T, ref string) int {
	t.Helper()
	d, err := name.NewDigest(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1) + ".sig"))
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	return len(layers)
}

// images lists the platform images of the index ref: two, as built here.
func images(t *testing.T, ref string) []string {
	t.Helper()
	out := cosigntest.Images(t, ref)
	if len(out) != 2 {
		t.Fatalf("%s lists %d images, want 2", ref, len(out))
	}
	return out
}

var registries = []struct {
	name string
	host func(testing.TB) string
}{{"distribution", registrytest.New}, {"referrers-api", registrytest.NewWithReferrers}}

// TestCosignVerifiesHoistSigned: hoist build --sign-key, with a key cosign
// generated, signs an index and its images; cosign verify accepts every
// manifest, and verify-attestation the SPDX, CycloneDX and SLSA v1
// attestations, on registries without and with the referrers API. hoist
// verify --key agrees, and refuses another key.
func TestCosignVerifiesHoistSigned(t *testing.T) {
	cosign := cosigntest.Binary(t)
	bin, root := hoisttest.Binary(t), hoisttest.Root(t)
	keys := t.TempDir()
	pw := []string{"COSIGN_PASSWORD=correct horse"}
	cosigntest.MustRun(t, keys, pw, cosign, "generate-key-pair")
	key, pub := filepath.Join(keys, "cosign.key"), filepath.Join(keys, "cosign.pub")
	other := t.TempDir()
	cosigntest.MustRun(t, other, []string{"HOIST_PASSWORD="}, bin, "keygen")
	for _, reg := range registries {
		t.Run(reg.name, func(t *testing.T) {
			host := reg.host(t)
			ref := strings.TrimSpace(cosigntest.MustRun(t, root, pw, bin, "build", "--repo", host+"/signed",
				"--platform", "linux/amd64,linux/arm64", "--sign-key", key, "./app"))
			cosigntest.Verify(t, cosign, pub, ref)
			cosigntest.Verify(t, cosign, pub, ref, "--type", "slsaprovenance1")
			// The same signature, byte for byte: a rebuild adds none, and
			// cosign sign takes hoist's for its own and adds none either.
			again := strings.TrimSpace(cosigntest.MustRun(t, root, pw, bin, "build", "--repo", host+"/signed",
				"--platform", "linux/amd64,linux/arm64", "--sign-key", key, "./app"))
			cosigntest.MustRun(t, "", pw, cosign, "sign", "--key", key, "--tlog-upload=false", "--allow-insecure-registry", "--yes", ref)
			if n := signatureLayers(t, ref); again != ref || n != 1 {
				t.Errorf("after a rebuild (%s) and cosign sign: %d signatures on %s, want 1", again, n, ref)
			}
			for _, child := range images(t, ref) {
				cosigntest.Verify(t, cosign, pub, child)
				cosigntest.Verify(t, cosign, pub, child, "--type", "spdxjson")
				cosigntest.Verify(t, cosign, pub, child, "--type", "slsaprovenance1")
			}
			cosigntest.MustRun(t, root, nil, bin, "verify", "--key", pub, ref)
			// The key as a variable, as CI passes a secret.
			pem, err := os.ReadFile(key)
			if err != nil {
				t.Fatal(err)
			}
			cdx := strings.TrimSpace(cosigntest.MustRun(t, root, append(pw, "SIGNING_KEY="+string(pem)), bin, "build",
				"--repo", host+"/signed-cdx", "--sbom", "cyclonedx", "--sign-key", "env://SIGNING_KEY", "./app"))
			cosigntest.Verify(t, cosign, pub, cdx, "--type", "cyclonedx")
			pubPEM, err := os.ReadFile(pub)
			if err != nil {
				t.Fatal(err)
			}
			cosigntest.MustRun(t, root, []string{"PUB=" + string(pubPEM)}, bin, "verify", "--key", "env://PUB", ref)

			otherPub := filepath.Join(other, "cosign.pub")
			if _, err := cosigntest.Run(t, "", nil, cosign, append(append([]string{"verify", "--key", otherPub}, cosigntest.Offline(t)...), ref)...); err == nil {
				t.Error("cosign verify accepted another key")
			}
			checkRefused(t, root, bin, "no signature verifies with the key", "verify", "--key", otherPub, ref)
		})
	}
}

// checkRefused runs hoist expecting it to fail with one line holding want.
func checkRefused(t *testing.T, dir, bin, want string, args ...string) {
	t.Helper()
	_, err := cosigntest.Run(t, dir, nil, bin, args...)
	re, ok := err.(*cosigntest.RunError)
	if !ok {
		t.Fatalf("hoist %s: err = %v, want a failure", strings.Join(args, " "), err)
	}
	lines := strings.Split(strings.TrimSpace(re.Stderr), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, want) || !strings.HasPrefix(last, "hoist: ") {
		t.Errorf("hoist %s failed with %q, want one line with %q", strings.Join(args, " "), last, want)
	}
}

// TestHoistVerifiesCosignSigned: an image hoist pushed unsigned, signed
// with `cosign sign --key` and attested with `cosign attest --key`
// (hoist's own SBOM and provenance predicate, key from hoist keygen), passes
// hoist verify --key; before cosign signs, and with another key, it fails.
func TestHoistVerifiesCosignSigned(t *testing.T) {
	cosign := cosigntest.Binary(t)
	bin, root := hoisttest.Binary(t), hoisttest.Root(t)
	keys := t.TempDir()
	cosigntest.MustRun(t, keys, []string{"HOIST_PASSWORD=battery staple"}, bin, "keygen", "--output-key-prefix", "k")
	key, pub := filepath.Join(keys, "k.key"), filepath.Join(keys, "k.pub")
	pw := []string{"COSIGN_PASSWORD=battery staple"}
	for _, reg := range registries {
		t.Run(reg.name, func(t *testing.T) {
			host := reg.host(t)
			docs := t.TempDir()
			ref := strings.TrimSpace(cosigntest.MustRun(t, root, nil, bin, "build", "--repo", host+"/cosigned", "--sbom-dir", docs, "./app"))
			checkRefused(t, root, bin, "no signature", "verify", "--key", pub, ref)

			common := []string{"--key", key, "--tlog-upload=false", "--allow-insecure-registry", "--yes"}
			cosigntest.MustRun(t, "", pw, cosign, append(append([]string{"sign"}, common...), ref)...)
			cosigntest.MustRun(t, "", pw, cosign, append(append([]string{"attest"}, common...),
				"--type", "spdxjson", "--predicate", filepath.Join(docs, "app.spdx.json"), ref)...)
			cosigntest.MustRun(t, "", pw, cosign, append(append([]string{"attest"}, common...),
				"--type", "slsaprovenance1", "--predicate", predicateFile(t, filepath.Join(docs, "app.intoto.json")), ref)...)

			out := cosigntest.MustRun(t, root, nil, bin, "verify", "--key", pub, ref)
			for _, want := range []string{"signatures verified: 1", "attestation verified: https://spdx.dev/Document", "attestation verified: https://slsa.dev/provenance/v1"} {
				if !strings.Contains(out, want) {
					t.Errorf("hoist verify --key printed no %q:\n%s", want, out)
				}
			}
			otherDir := t.TempDir()
			cosigntest.MustRun(t, otherDir, []string{"HOIST_PASSWORD="}, bin, "keygen")
			checkRefused(t, root, bin, "no signature verifies with the key", "verify", "--key", filepath.Join(otherDir, "cosign.pub"), ref)
		})
	}
}

// predicateFile writes the predicate of an in-toto statement to a file:
// cosign attest takes the predicate and makes the statement itself.
func predicateFile(t *testing.T, statement string) string {
	t.Helper()
	data, err := os.ReadFile(statement)
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Predicate json.RawMessage `json:"predicate"`
	}
	if err := json.Unmarshal(data, &st); err != nil || len(st.Predicate) == 0 {
		t.Fatalf("%s: no predicate (%v)", statement, err)
	}
	path := filepath.Join(t.TempDir(), "predicate.json")
	if err := os.WriteFile(path, st.Predicate, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
