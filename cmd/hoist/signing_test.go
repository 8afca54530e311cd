package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/sign"
)

// TestSigningRefusals: every bad signing input fails in one line naming
// the fix, before anything is built or pushed, and never prints the
// password or the key.
func TestSigningRefusals(t *testing.T) {
	dir := t.TempDir()
	key, pubFile, keyBody := writeKeyPair(t, dir, "hunter2")
	// Registry unreachable on purpose: a refusal must come before any push.
	repo := "127.0.0.1:1/x"
	cases := []struct {
		name     string
		password string // "" leaves both variables unset
		args     []string
		want     string
	}{
		{"layout", "hunter2", []string{"build", "--oci-layout", filepath.Join(dir, "oci"), "--sign-key", key}, "--sign-key signs images in a registry: set --repo"},
		{"tarball", "hunter2", []string{"build", "--tarball", filepath.Join(dir, "t.tar"), "--repo", repo, "--sign-key", key}, "push it first and then run `hoist sign"},
		{"missing key file", "hunter2", []string{"build", "--repo", repo, "--sign-key", filepath.Join(dir, "nope.key")}, "reading --sign-key"},
		{"unset variable", "hunter2", []string{"build", "--repo", repo, "--sign-key", "env://HOIST_TEST_NO_SUCH_KEY"}, "HOIST_TEST_NO_SUCH_KEY is empty or not set"},
		{"no password", "", []string{"build", "--repo", repo, "--sign-key", key}, "set HOIST_PASSWORD (or COSIGN_PASSWORD)"},
		{"wrong password", "hunter3", []string{"build", "--repo", repo, "--sign-key", key}, "wrong password in HOIST_PASSWORD or COSIGN_PASSWORD"},
		{"public key to sign", "hunter2", []string{"sign", "--key", pubFile, repo + "@sha256:" + strings.Repeat("0", 64)}, `"PUBLIC KEY" is not a private key`},
		{"sign without key", "hunter2", []string{"sign", repo + ":v1"}, "hoist sign needs --key"},
		{"private key to verify", "hunter2", []string{"verify", "--key", key, repo + ":v1"}, "want the public key"},
		{"keygen without password", "", []string{"keygen", "--output-key-prefix", filepath.Join(dir, "new")}, "set HOIST_PASSWORD"},
		{"keygen over a key", "hunter2", []string{"keygen", "--output-key-prefix", filepath.Join(dir, "cosign")}, "cosign.key exists"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HOIST_SIGN_KEY", "")
			os.Unsetenv("HOIST_SIGN_KEY")
			for _, v := range passwordEnv {
				t.Setenv(v, "")
				os.Unsetenv(v)
			}
			if tc.password != "" {
				t.Setenv("COSIGN_PASSWORD", tc.password)
			}
			var stdout bytes.Buffer
			root := newRoot()
			root.SetOut(&stdout)
			root.SetArgs(tc.args)
			err := root.ExecuteContext(context.Background())
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line containing %q", err, tc.want)
			}
			for _, secret := range []string{"hunter", keyBody} {
				if strings.Contains(err.Error(), secret) || strings.Contains(stdout.String(), secret) {
					t.Errorf("output shows %q: %v", secret, err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "oci")); err == nil {
				t.Error("a layout was written before the refusal")
			}
		})
	}
}

// writeKeyPair writes cosign.key, encrypted with password, and cosign.pub
// to dir, and returns their paths and a line of the private key's body:
// what must never be printed.
func writeKeyPair(t *testing.T, dir, password string) (key, pub, keyBody string) {
	t.Helper()
	privPEM, pubPEM, err := sign.GenerateKeyPair([]byte(password))
	if err != nil {
		t.Fatal(err)
	}
	key, pub = filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
	for f, data := range map[string][]byte{key: privPEM, pub: pubPEM} {
		if err := os.WriteFile(f, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return key, pub, strings.Split(string(privPEM), "\n")[1]
}
