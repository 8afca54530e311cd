package faults_test

import (
	"bytes"
	"encoding/base64"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

// TestNoSecretInAnyOutput plants canaries where secrets live, a variable
// templated into the build environment by .ko.yaml and the registry
// password in the docker config, runs hoist at debug level to a registry
// that needs that password and to a layout, and looks for them in every
// output: stdout, stderr, the layout, the SBOMs and provenance, the cache.
func TestNoSecretInAnyOutput(t *testing.T) {
	const (
		envCanary  = "canary-env-3f9a1c5e"
		passCanary = "canary-pass-7b2e4d9a"
		canaryUser = "canaryuser"
	)
	canaries := []string{envCanary, passCanary,
		base64.StdEncoding.EncodeToString([]byte(canaryUser + ":" + passCanary)),
		base64.StdEncoding.EncodeToString([]byte(passCanary)),
	}
	mod := t.TempDir()
	hoisttest.WriteFiles(t, mod, map[string]string{
		"go.mod":   "module example.com/canary\n\ngo 1.24\n",
		"main.go":  "package main\n\nfunc main() {}\n",
		".ko.yaml": "builds:\n- id: canary\n  main: .\n  env: [\"API_TOKEN={{.Env.CANARY_SECRET}}\", \"CGO_ENABLED=0\"]\n",
	})
	srv := registrytest.Start(t, registrytest.Options{Users: map[string]string{canaryUser: passCanary}})
	cache, sboms, layout := t.TempDir(), t.TempDir(), filepath.Join(t.TempDir(), "oci")
	env := []string{"CANARY_SECRET=" + envCanary, "DOCKER_CONFIG=" + dockerConfig(t, srv.Host, canaryUser, passCanary),
		"HOIST_CACHE=" + cache, "GOFLAGS=-buildvcs=false"}
	var outputs bytes.Buffer
	for _, args := range [][]string{
		{"-v", "build", "--repo", srv.Host + "/canary", "--sbom-dir", sboms, "--progress", "plain", "--no-cache", "."},
		{"-v", "build", "--repo", srv.Host + "/canary", "--sbom-dir", sboms, "--progress", "plain", "."},
		{"-v", "build", "--oci-layout", layout, "--sbom-dir", sboms, "--progress", "plain", "."},
	} {
		r := hoisttest.MustRun(t, mod, append(hermeticEnv(t), env...), hoisttest.Binary(t), args...)
		outputs.WriteString(r.Stdout + r.Stderr)
	}
	if !strings.Contains(outputs.String(), "API_TOKEN=") {
		t.Fatalf("the debug log never showed the build environment, so this test proves nothing:\n%s", outputs.String())
	}
	found := scan(t, "stdout/stderr", outputs.Bytes(), canaries) + scanFiles(t, canaries, layout, sboms, cache)
	if found > 0 {
		t.Errorf("%d canaries leaked", found)
	}
}

// scan reports each canary in data, with gzip'd layers searched as they
// are stored: a layer holding a canary would be the user's own file.
func scan(t *testing.T, where string, data []byte, canaries []string) int {
	t.Helper()
	n := 0
	for _, c := range canaries {
		if bytes.Contains(data, []byte(c)) {
			t.Errorf("%s holds the canary %q", where, c)
			n++
		}
	}
	return n
}

// scanFiles scans every file under each of dirs, none of which may be
// empty: a missing output would make the test pass for nothing.
func scanFiles(t *testing.T, canaries []string, dirs ...string) int {
	t.Helper()
	found := 0
	for _, dir := range dirs {
		files := 0
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return err
			}
			files++
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			found += scan(t, p, data, canaries)
			return nil
		})
		if err != nil || files == 0 {
			t.Fatalf("reading %s: %v (%d files)", dir, err, files)
		}
	}
	return found
}
