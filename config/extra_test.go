package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadRefuses(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"second document", "repo: a\n---\nrepo: b\n", "more than one YAML document"},
		{"list for a string", "repo: [a, b]\n", `key "repo" (line 1): a list where a string is wanted`},
		{"mapping for a list", "tag: {a: b}\n", `key "tag" (line 1): a mapping where a list is wanted`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".hoist.yaml")
			if err := os.WriteFile(path, []byte(tc.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadHoist(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and containing %q", err, path, tc.want)
			}
		})
	}
}

func TestHoistRemoteKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".hoist.yaml")
	os.WriteFile(path, []byte("timeout: 30s\nretries: 3\nca-cert: ca.pem\nsbom: none\nprovenance: false\n"), 0o644)
	h, err := LoadHoist(path)
	if err != nil || h.Timeout != "30s" || *h.Retries != 3 || h.CACert != "ca.pem" || *h.Provenance {
		t.Fatalf("got %+v, %v", h, err)
	}
	os.WriteFile(path, []byte("timeout: 30\n"), 0o644)
	if _, err := LoadHoist(path); err == nil || !strings.Contains(err.Error(), "not a duration") {
		t.Fatalf("bare number accepted as timeout: %v", err)
	}
}

func TestTypeErrorsNameTheKey(t *testing.T) {
	cases := []struct{ yaml, want string }{
		{"repo: a\nport: eighty\n", `key "port" (line 2)`},
		{"builds:\n- id: a\n  flags: {x: y}\n", `key "builds[0].flags" (line 3)`},
		{"jobs: [1]\n", `key "jobs" (line 1)`},
	}
	for _, tc := range cases {
		path := filepath.Join(t.TempDir(), "c.yaml")
		os.WriteFile(path, []byte(tc.yaml), 0o644)
		_, errH := LoadHoist(path)
		_, errK := LoadKo(path)
		err := errH
		if strings.HasPrefix(tc.yaml, "builds") {
			err = errK
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %s", tc.yaml, err, tc.want)
		}
	}
}

func TestHoistImages(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".hoist.yaml")
	os.WriteFile(path, []byte("images:\n- name: tools\n  packages: [./cmd/a, ./cmd/b]\n  entrypoint: b\n"), 0o644)
	h, err := LoadHoist(path)
	if err != nil || len(h.Images) != 1 || h.Images[0].Name != "tools" || len(h.Images[0].Packages) != 2 || h.Images[0].Entrypoint != "b" {
		t.Fatalf("got %+v, %v", h, err)
	}
	os.WriteFile(path, []byte("images:\n- name: tools\n  pkgs: [./cmd/a]\n"), 0o644)
	if _, err := LoadHoist(path); err == nil || !strings.Contains(err.Error(), `unknown key "pkgs" (line 3)`) {
		t.Fatalf("a misspelt key in images must stay an error in .hoist.yaml: %v", err)
	}
}
