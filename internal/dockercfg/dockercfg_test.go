package dockercfg_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/internal/dockercfg"
)

const key = "registry.example:5000"

func TestStore(t *testing.T) {
	cases := []struct {
		name     string
		existing string // config.json before; "" for none
		keep     []string
	}{
		{"no file yet", "", nil},
		{"empty file", " \n", nil},
		{"other keys kept", `{"psFormat": "table", "credHelpers": {"gcr.io": "gcloud"}, "auths": {"other.example": {"auth": "eDp5"}}, "experimental": {"x": [1, 2]}}`,
			[]string{`"psFormat": "table"`, `"gcr.io": "gcloud"`, `"other.example"`, `"eDp5"`, `"experimental"`}},
		{"entry replaced", `{"auths": {"` + key + `": {"auth": "b2xkOm9sZA==", "identitytoken": "stale"}}}`, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "docker")
			path := filepath.Join(dir, "config.json")
			if tc.existing != "" {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(tc.existing), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := dockercfg.Store(context.Background(), path, key, "alice", "pa:ss"); err != nil {
				t.Fatal(err)
			}
			data := readFile(t, path)
			for _, k := range tc.keep {
				if !strings.Contains(data, k) {
					t.Errorf("config lost %s:\n%s", k, data)
				}
			}
			if strings.Contains(data, "stale") || strings.Contains(data, "b2xkOm9sZA==") {
				t.Errorf("old entry survived:\n%s", data)
			}
			if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("config mode = %v (%v), want 0600", fi.Mode(), err)
			}
			checkKeychain(t, dir, "alice", "pa:ss")
			if left, _ := filepath.Glob(filepath.Join(dir, ".config.json-*")); len(left) != 0 {
				t.Errorf("temporary files left behind: %v", left)
			}
		})
	}
}

// checkKeychain resolves key through ggcr's default keychain, as hoist build
// does, with the config directory as DOCKER_CONFIG.
func checkKeychain(t *testing.T, dir, user, password string) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("DOCKER_CONFIG", dir)
	reg, err := name.NewRegistry(key)
	if err != nil {
		t.Fatal(err)
	}
	auth, err := authn.DefaultKeychain.Resolve(reg)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := auth.Authorization()
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Username + ":" + cfg.Password
	if cfg.Auth != "" {
		b, _ := base64.StdEncoding.DecodeString(cfg.Auth)
		got = string(b)
	}
	if got != user+":"+password {
		t.Errorf("keychain resolved %q, want %s:%s", got, user, password)
	}
}

func TestStoreFollowsSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	if err := os.WriteFile(target, []byte(`{"psFormat": "x"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := dockercfg.Store(context.Background(), link, key, "bob", "pw"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("config.json is no longer a symlink: %v", err)
	}
	if data := readFile(t, target); !strings.Contains(data, key) || !strings.Contains(data, `"psFormat": "x"`) {
		t.Errorf("symlink target = %s, want the new entry and the old key", data)
	}
}

func TestStoreRefusesBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	const bad = `{"auths": [}`
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	err := dockercfg.Store(context.Background(), path, key, "bob", "pw")
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Store into invalid JSON = %v, want an error naming %s", err, path)
	}
	if got := readFile(t, path); got != bad {
		t.Errorf("invalid file was rewritten to %s", got)
	}
}

// TestStoreUsesHelper gives the registry a credential helper: the
// credentials must go to it, by its protocol, and not into the file.
func TestStoreUsesHelper(t *testing.T) {
	cases := []struct{ name, config string }{
		{"credHelpers entry", `{"credHelpers": {"` + key + `": "hoisttest"}}`},
		{"credsStore", `{"credsStore": "hoisttest"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			got := filepath.Join(t.TempDir(), "stored.json")
			script := "#!/bin/sh\n[ \"$1\" = store ] || exit 3\ncat > " + got + "\n"
			if err := os.WriteFile(filepath.Join(bin, "docker-credential-hoisttest"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, []byte(tc.config), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := dockercfg.Store(context.Background(), path, key, "carol", "pw"); err != nil {
				t.Fatal(err)
			}
			var stored map[string]string
			if err := json.Unmarshal([]byte(readFile(t, got)), &stored); err != nil {
				t.Fatal(err)
			}
			if stored["ServerURL"] != key || stored["Username"] != "carol" || stored["Secret"] != "pw" {
				t.Errorf("helper got %v", stored)
			}
			if data := readFile(t, path); data != tc.config {
				t.Errorf("config changed to %s although a helper holds the credentials", data)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
