package cosigntest

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

	"github.com/hoist-build/hoist/internal/registrytest"
)

// Version is the cosign whose default formats hoist writes and reads
// (v2: signatures and attestations in sha256-<hex>.sig/.att tags).
const Version = "v2.6.5"

var (
	once       sync.Once
	path       string
	installErr error
)

// Binary installs cosign from the Go module proxy into a cache kept
// between runs (.ci/run fills it before the tests; building cosign takes
// minutes, linking it again from the Go cache still ~20 s).
func Binary(t testing.TB) string {
	t.Helper()
	once.Do(func() {
		path, installErr = install()
	})
	if installErr != nil {
		t.Fatalf("installing cosign %s: %v", Version, installErr)
	}
	return path
}

// install puts cosign in the same path .ci/run installs to.
func install() (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "hoist-tools", "cosign-"+Version)
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
	cmd := exec.Command("go", "install", "github.com/sigstore/cosign/v2/cmd/cosign@"+Version)
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

// Run runs a command in dir with extra environment and returns stdout; the
// error carries stderr. HOME and the docker config are the test's own, so
// no credential or TUF cache of the machine is used.
func Run(t testing.TB, dir string, env []string, bin string, args ...string) (string, error) {
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
		return stdout.String(), &RunError{cmd: filepath.Base(bin) + " " + strings.Join(args, " "), err: err, Stderr: stderr.String()}
	}
	return stdout.String(), nil
}

// Offline are the flags that keep cosign verify off the internet:
// no transparency log, and a trusted root that trusts no Sigstore service,
// so cosign does not fetch the public one through TUF. The key alone is
// trusted.
func Offline(t testing.TB) []string {
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
func keptGoEnv(t testing.TB) []string {
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

// RunError is a failed Run; Stderr is what the tool said.
type RunError struct {
	cmd    string
	Stderr string
	err    error
}

func (e *RunError) Error() string { return e.cmd + ": " + e.err.Error() + "\n" + e.Stderr }

// MustRun is Run that fails the test on an error.
func MustRun(t testing.TB, dir string, env []string, bin string, args ...string) string {
	t.Helper()
	out, err := Run(t, dir, env, bin, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Verify runs `cosign verify`, or `verify-attestation --type T` when
// extra is given, offline (no transparency log), and checks what cosign
// printed: signed payloads naming the digest, or envelopes whose
// statements have the predicate type asked for and the digest as subject.
func Verify(t testing.TB, cosign, pub, ref string, extra ...string) {
	t.Helper()
	cmd := "verify"
	if len(extra) > 0 {
		cmd = "verify-attestation"
	}
	args := append(append([]string{cmd, "--key", pub}, Offline(t)...), extra...)
	out := MustRun(t, "", nil, cosign, append(args, ref)...)
	digest := registrytest.Digest(t, ref).String()
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

// Images lists the image references of the index ref (a digest reference).
func Images(t testing.TB, ref string) []string {
	t.Helper()
	_, im := registrytest.Index(t, ref)
	repo := strings.Split(ref, "@")[0]
	var out []string
	for _, d := range im.Manifests {
		out = append(out, repo+"@"+d.Digest.String())
	}
	return out
}
