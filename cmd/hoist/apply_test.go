package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestApplyTimeouts checks that apply's --timeout bounds the rollout wait
// only: the build settings see --registry-timeout (or the default) as the
// registry request timeout, as `hoist build --timeout` would set it.
func TestApplyTimeouts(t *testing.T) {
	cases := []struct {
		name     string
		args     []string
		registry time.Duration
		wait     time.Duration
	}{
		{"defaults", nil, 60 * time.Second, 5 * time.Minute},
		{"wait only", []string{"--timeout", "7m"}, 60 * time.Second, 7 * time.Minute},
		{"both", []string{"--timeout", "7m", "--registry-timeout", "9s"}, 9 * time.Second, 7 * time.Minute},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			t.Chdir(t.TempDir())
			cmd := newApplyCmd()
			if err := cmd.ParseFlags(tc.args); err != nil {
				t.Fatal(err)
			}
			s, err := loadSettings(cmd, applySpec, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.remote.timeout; got != tc.registry {
				t.Errorf("registry timeout = %v, want %v", got, tc.registry)
			}
			if got, _ := cmd.Flags().GetDuration("timeout"); got != tc.wait {
				t.Errorf("wait timeout = %v, want %v", got, tc.wait)
			}
		})
	}
}

// TestApplyFailsBeforeBuilding: without a usable manifest or cluster,
// apply and delete stop with a message saying what is missing, before any
// build (no registry is configured here, which a build would need).
func TestApplyFailsBeforeBuilding(t *testing.T) {
	dir := svcModule(t, map[string]string{"app.yaml": apiYAML, "broken.yaml": "kind: [Deployment\n"})
	t.Setenv("HOME", t.TempDir())
	t.Setenv("KUBECONFIG", "")
	badConfig := filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(badConfig, []byte("apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no file", []string{"apply"}, "no file given"},
		{"no cluster configured", []string{"apply", "-f", "app.yaml"}, "no cluster configured"},
		{"unknown context", []string{"apply", "-f", "app.yaml", "--kubeconfig", badConfig}, "context was not found for specified context: nowhere"},
		{"unknown --context", []string{"delete", "-f", "app.yaml", "--kubeconfig", badConfig, "--context", "other"}, `context "other" does not exist`},
		{"not YAML", []string{"delete", "-f", "broken.yaml"}, "broken.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runHoist(t, dir, "", tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
