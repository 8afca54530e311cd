package faults_test

import (
	"bytes"
	"encoding/base64"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
	for name, content := range map[string]string{
		"go.mod":   "module example.com/canary\n\ngo 1.24\n",
		"main.go":  "package main\n\nfunc main() {}\n",
		".ko.yaml": "builds:\n- id: canary\n  main: .\n  env: [\"API_TOKEN={{.Env.CANARY_SECRET}}\", \"CGO_ENABLED=0\"]\n",
	} {
		if err := os.WriteFile(filepath.Join(mod, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
		stdout, stderr, err := runIn(t, mod, env, args...)
		if err != nil {
			t.Fatalf("hoist %s: %v\n%s", strings.Join(args, " "), err, stderr)
		}
		outputs.WriteString(stdout + stderr)
	}
	if !strings.Contains(outputs.String(), "API_TOKEN=") {
		t.Fatalf("the debug log never showed the build environment, so this test proves nothing:\n%s", outputs.String())
	}
	found := scan(t, "stdout/stderr", outputs.Bytes(), canaries)
	for _, dir := range []string{layout, sboms, cache} {
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

func runIn(t *testing.T, dir string, env []string, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(hoistBin, args...)
	cmd.Dir = dir
	cmd.Env = append(hermeticEnv(t), env...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}
