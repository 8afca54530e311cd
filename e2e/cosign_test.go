package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/registrytest"
)

// cosignVersion is the cosign whose default formats hoist writes and reads
// (v2: signatures and attestations in sha256-<hex>.sig/.att tags).
const cosignVersion = "v2.6.5"

var (
	cosignOnce sync.Once
	cosignPath string
	cosignErr  error
)

// cosignBinary installs cosign from the Go module proxy into a cache kept
// between runs (.ci/run fills it before the tests; building cosign takes
// minutes, linking it again from the Go cache still ~20 s).
func cosignBinary(t *testing.T) string {
	t.Helper()
	cosignOnce.Do(func() {
		cosignPath, cosignErr = cachedCosign()
	})
	if cosignErr != nil {
		t.Fatalf("installing cosign %s: %v", cosignVersion, cosignErr)
	}
	return cosignPath
}

// cachedCosign is the same path .ci/run installs to.
func cachedCosign() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "hoist-tools", "cosign-"+cosignVersion)
	bin := filepath.Join(dir, "cosign")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "cosign-install-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("go", "install", "github.com/sigstore/cosign/v2/cmd/cosign@"+cosignVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(tmp)
		return "", fmt.Errorf("%w\n%s", err, out)
	}
	// Renamed into place whole, so a concurrent run never sees half a file.
	if err := os.Rename(tmp, dir); err != nil && !os.IsExist(err) {
		if _, serr := os.Stat(bin); serr != nil {
			return "", err
		}
	}
	os.RemoveAll(tmp)
	return bin, nil
}

// run runs a command in dir with extra environment and returns stdout; the
// error carries stderr. HOME and the docker config are the test's own, so
// no credential or TUF cache of the machine is used.
func run(t *testing.T, dir string, env []string, bin string, args ...string) (string, error) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
	for _, kv := range os.Environ() {
		// Passwords and keys come from the test alone.
		if k, _, _ := strings.Cut(kv, "="); k != "HOIST_PASSWORD" && k != "COSIGN_PASSWORD" && k != "HOIST_SIGN_KEY" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "HOME="+home, "DOCKER_CONFIG="+filepath.Join(home, ".docker"),
		"TUF_ROOT="+filepath.Join(home, "tuf"), "GOFLAGS=-buildvcs=false")
	cmd.Env = append(cmd.Env, keptGoEnv(t)...)
	cmd.Env = append(cmd.Env, env...)
	err := cmd.Run()
	if filepath.Base(bin) == "cosign" && (strings.Contains(stderr.String(), "TUF") || strings.Contains(stderr.String(), "https://")) {
		// The tests talk to loopback only; a cosign that tries the
		// Sigstore services is missing an offline flag.
		t.Errorf("cosign %s reached for the internet:\n%s", strings.Join(args, " "), stderr.String())
	}
	if err != nil {
		return stdout.String(), &runError{cmd: filepath.Base(bin) + " " + strings.Join(args, " "), err: err, stderr: stderr.String()}
	}
	return stdout.String(), nil
}

// cosignOffline are the flags that keep cosign verify off the internet:
// no transparency log, and a trusted root that trusts no Sigstore service,
// so cosign does not fetch the public one through TUF. The key alone is
// trusted.
func cosignOffline(t *testing.T) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(path, []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{"--insecure-ignore-tlog=true", "--allow-insecure-registry", "--trusted-root", path}
}

var (
	goEnvOnce sync.Once
	goEnvVars []string
)

// keptGoEnv keeps Go's settings and caches when HOME moves: the go env file
// and the default caches are found through HOME, and neither the build nor
// its speed must change with it.
func keptGoEnv(t *testing.T) []string {
	t.Helper()
	goEnvOnce.Do(func() {
		out, err := exec.Command("go", "env", "GOENV", "GOCACHE", "GOMODCACHE").Output()
		if err != nil {
			return
		}
		vals := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(vals) == 3 {
			goEnvVars = []string{"GOENV=" + vals[0], "GOCACHE=" + vals[1], "GOMODCACHE=" + vals[2]}
		}
	})
	if goEnvVars == nil {
		t.Fatal("reading go env GOENV GOCACHE GOMODCACHE failed")
	}
	return goEnvVars
}

type runError struct {
	cmd, stderr string
	err         error
}

func (e *runError) Error() string { return e.cmd + ": " + e.err.Error() + "\n" + e.stderr }

func mustRun(t *testing.T, dir string, env []string, bin string, args ...string) string {
	t.Helper()
	out, err := run(t, dir, env, bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cosignVerify runs `cosign verify`, or `verify-attestation --type T` when
// extra is given, offline (no transparency log), and checks what cosign
// printed: signed payloads naming the digest, or envelopes whose
// statements have the predicate type asked for and the digest as subject.
func cosignVerify(t *testing.T, cosign, pub, ref string, extra ...string) {
	t.Helper()
	cmd := "verify"
	if len(extra) > 0 {
		cmd = "verify-attestation"
	}
	args := append(append([]string{cmd, "--key", pub}, cosignOffline(t)...), extra...)
	out := mustRun(t, "", nil, cosign, append(args, ref)...)
	digest := remoteDigest(t, ref)
	if cmd == "verify" {
		if !strings.Contains(out, `"docker-manifest-digest":"`+digest+`"`) {
			t.Errorf("cosign verify %s printed no payload naming %s:\n%.500s", ref, digest, out)
		}
		return
	}
	predicateType := map[string]string{"spdxjson": "https://spdx.dev/Document", "cyclonedx": "https://cyclonedx.org/bom",
		"slsaprovenance1": "https://slsa.dev/provenance/v1"}[extra[len(extra)-1]]
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, line := range lines {
		var env struct{ Payload []byte }
		var st struct {
			PredicateType string `json:"predicateType"`
			Subject       []struct{ Digest map[string]string }
		}
		if err := json.Unmarshal([]byte(line), &env); err != nil {
			t.Fatalf("cosign %s printed %.300q: %v", cmd, line, err)
		}
		if err := json.Unmarshal(env.Payload, &st); err != nil {
			t.Fatalf("cosign %s printed an envelope without a statement: %v", cmd, err)
		}
		covered := false
		for _, s := range st.Subject {
			covered = covered || "sha256:"+s.Digest["sha256"] == digest
		}
		if st.PredicateType != predicateType || !covered {
			t.Errorf("cosign %s %s %s printed a %s statement about %v", cmd, strings.Join(extra, " "), ref, st.PredicateType, st.Subject)
		}
	}
}

func childRefs(t *testing.T, ref string) []string {
	t.Helper()
	r, err := name.NewDigest(ref)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r)
	if err != nil {
		t.Fatal(err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range im.Manifests {
		out = append(out, r.Context().Digest(d.Digest.String()).String())
	}
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
	cosign := cosignBinary(t)
	bin, root := hoistBinary(t)
	keys := t.TempDir()
	pw := []string{"COSIGN_PASSWORD=correct horse"}
	mustRun(t, keys, pw, cosign, "generate-key-pair")
	key, pub := filepath.Join(keys, "cosign.key"), filepath.Join(keys, "cosign.pub")
	other := t.TempDir()
	mustRun(t, other, []string{"HOIST_PASSWORD="}, bin, "keygen")
	for _, reg := range registries {
		t.Run(reg.name, func(t *testing.T) {
			host := reg.host(t)
			ref := strings.TrimSpace(mustRun(t, root, pw, bin, "build", "--repo", host+"/signed",
				"--platform", "linux/amd64,linux/arm64", "--sign-key", key, "./app"))
			cosignVerify(t, cosign, pub, ref)
			cosignVerify(t, cosign, pub, ref, "--type", "slsaprovenance1")
			for _, child := range childRefs(t, ref) {
				cosignVerify(t, cosign, pub, child)
				cosignVerify(t, cosign, pub, child, "--type", "spdxjson")
				cosignVerify(t, cosign, pub, child, "--type", "slsaprovenance1")
			}
			mustRun(t, root, nil, bin, "verify", "--key", pub, ref)
			// The key as a variable, as CI passes a secret.
			pem, err := os.ReadFile(key)
			if err != nil {
				t.Fatal(err)
			}
			cdx := strings.TrimSpace(mustRun(t, root, append(pw, "SIGNING_KEY="+string(pem)), bin, "build",
				"--repo", host+"/signed-cdx", "--sbom", "cyclonedx", "--sign-key", "env://SIGNING_KEY", "./app"))
			cosignVerify(t, cosign, pub, cdx, "--type", "cyclonedx")
			pubPEM, err := os.ReadFile(pub)
			if err != nil {
				t.Fatal(err)
			}
			mustRun(t, root, []string{"PUB=" + string(pubPEM)}, bin, "verify", "--key", "env://PUB", ref)

			otherPub := filepath.Join(other, "cosign.pub")
			if _, err := run(t, "", nil, cosign, append(append([]string{"verify", "--key", otherPub}, cosignOffline(t)...), ref)...); err == nil {
				t.Error("cosign verify accepted another key")
			}
			checkRefused(t, root, bin, "no signature verifies with the key", "verify", "--key", otherPub, ref)
		})
	}
}

// checkRefused runs hoist expecting it to fail with one line holding want.
func checkRefused(t *testing.T, dir, bin, want string, args ...string) {
	t.Helper()
	_, err := run(t, dir, nil, bin, args...)
	re, ok := err.(*runError)
	if !ok {
		t.Fatalf("hoist %s: err = %v, want a failure", strings.Join(args, " "), err)
	}
	lines := strings.Split(strings.TrimSpace(re.stderr), "\n")
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
	cosign := cosignBinary(t)
	bin, root := hoistBinary(t)
	keys := t.TempDir()
	mustRun(t, keys, []string{"HOIST_PASSWORD=battery staple"}, bin, "keygen", "--output-key-prefix", "k")
	key, pub := filepath.Join(keys, "k.key"), filepath.Join(keys, "k.pub")
	pw := []string{"COSIGN_PASSWORD=battery staple"}
	for _, reg := range registries {
		t.Run(reg.name, func(t *testing.T) {
			host := reg.host(t)
			docs := t.TempDir()
			ref := strings.TrimSpace(mustRun(t, root, nil, bin, "build", "--repo", host+"/cosigned", "--sbom-dir", docs, "./app"))
			checkRefused(t, root, bin, "no signature", "verify", "--key", pub, ref)

			common := []string{"--key", key, "--tlog-upload=false", "--allow-insecure-registry", "--yes"}
			mustRun(t, "", pw, cosign, append(append([]string{"sign"}, common...), ref)...)
			mustRun(t, "", pw, cosign, append(append([]string{"attest"}, common...),
				"--type", "spdxjson", "--predicate", filepath.Join(docs, "app.spdx.json"), ref)...)
			mustRun(t, "", pw, cosign, append(append([]string{"attest"}, common...),
				"--type", "slsaprovenance1", "--predicate", predicateFile(t, filepath.Join(docs, "app.intoto.json")), ref)...)

			out := mustRun(t, root, nil, bin, "verify", "--key", pub, ref)
			for _, want := range []string{"signatures verified: 1", "attestation verified: https://spdx.dev/Document", "attestation verified: https://slsa.dev/provenance/v1"} {
				if !strings.Contains(out, want) {
					t.Errorf("hoist verify --key printed no %q:\n%s", want, out)
				}
			}
			otherDir := t.TempDir()
			mustRun(t, otherDir, []string{"HOIST_PASSWORD="}, bin, "keygen")
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
