package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/registrytest"
)

// TestLogin runs `hoist login` against a registry behind basic auth and TLS
// from its own CA. Good credentials must land in $DOCKER_CONFIG/config.json
// next to what was there; refused ones must leave the file as it was.
func TestLogin(t *testing.T) {
	const user, password = "hoist", "s3cret-pass"
	srv := registrytest.Start(t, registrytest.Options{Users: map[string]string{user: password}, TLS: true})
	const before = `{"psFormat": "table", "credHelpers": {"gcr.io": "gcloud"}, "auths": {"other.example": {"auth": "eDp5"}}}`
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  string // error part; "" for success
	}{
		{"password on stdin", []string{"-u", user, "--password-stdin", "--ca-cert", srv.CAFile}, password + "\n", ""},
		{"-p", []string{"-u", user, "-p", password, "--ca-cert", srv.CAFile}, "", ""},
		{"https URL", []string{"https://" + srv.Host + "/", "-u", user, "-p", password, "--ca-cert", srv.CAFile}, "", ""},
		{"wrong password", []string{"-u", user, "--password-stdin", "--ca-cert", srv.CAFile}, "wrong\n",
			"logging in to " + srv.Host + ": 401 unauthorized: " + srv.Host + " refused the password for user hoist"},
		{"untrusted certificate", []string{"-u", user, "--password-stdin"}, password, "--ca-cert"},
		{"no user", []string{"--password-stdin", "--ca-cert", srv.CAFile}, password, "give the user name with -u"},
		{"no password", []string{"-u", user, "--ca-cert", srv.CAFile}, "", "give the password"},
		{"both passwords", []string{"-u", user, "-p", "x", "--password-stdin"}, password, "not both"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.json")
			write(t, path, before)
			t.Setenv("DOCKER_CONFIG", dir)
			args := tc.args
			if !strings.HasPrefix(args[0], "https://") {
				args = append([]string{srv.Host}, args...)
			}
			root := newRoot()
			root.SetArgs(append([]string{"login"}, args...))
			root.SetIn(strings.NewReader(tc.stdin))
			root.SetOut(io.Discard)
			root.SetErr(io.Discard)
			err := root.Execute()
			data, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("login error = %v, want one line containing %q", err, tc.want)
				}
				if string(data) != before {
					t.Errorf("a refused login changed config.json to %s", data)
				}
				return
			}
			if err != nil {
				t.Fatalf("login: %v", err)
			}
			checkSaved(t, path, data, srv.Host, user+":"+password)
		})
	}
}

// checkSaved checks the entry and that the file's other keys survived.
func checkSaved(t *testing.T, path string, data []byte, host, userPass string) {
	t.Helper()
	var cfg struct {
		PsFormat    string                       `json:"psFormat"`
		CredHelpers map[string]string            `json:"credHelpers"`
		Auths       map[string]map[string]string `json:"auths"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("config.json after login: %v\n%s", err, data)
	}
	if got := cfg.Auths[host]["auth"]; got != base64.StdEncoding.EncodeToString([]byte(userPass)) {
		t.Errorf("auths[%s].auth = %q, want base64 of %q", host, got, userPass)
	}
	if cfg.PsFormat != "table" || cfg.CredHelpers["gcr.io"] != "gcloud" || cfg.Auths["other.example"]["auth"] != "eDp5" {
		t.Errorf("login dropped other keys:\n%s", data)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config.json mode %v (%v), want 0600", fi.Mode(), err)
	}
}

func TestRegistryKey(t *testing.T) {
	cases := []struct{ arg, host, key string }{
		{"ghcr.io", "ghcr.io", "ghcr.io"},
		{"https://ghcr.io/", "ghcr.io", "ghcr.io"},
		{"127.0.0.1:5000", "127.0.0.1:5000", "127.0.0.1:5000"},
		{"docker.io", "index.docker.io", "https://index.docker.io/v1/"},
		{"https://index.docker.io/v1/", "index.docker.io", "https://index.docker.io/v1/"},
	}
	for _, tc := range cases {
		host, key, err := registryKey(tc.arg)
		if err != nil || host != tc.host || key != tc.key {
			t.Errorf("registryKey(%q) = %q, %q, %v; want %q, %q", tc.arg, host, key, err, tc.host, tc.key)
		}
	}
	if _, _, err := registryKey("https://"); err == nil {
		t.Error("registryKey accepted an empty host")
	}
}
