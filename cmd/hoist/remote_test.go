package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

// TestRemoteFlags checks how --timeout, --retries and --ca-cert (and their
// HOIST_* forms) reach the registry settings.
func TestRemoteFlags(t *testing.T) {
	srv := registrytest.Start(t, registrytest.Options{TLS: true})
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	write(t, notPEM, "not a certificate")
	cases := []struct {
		name    string
		env     map[string]string
		args    []string
		timeout time.Duration
		retries int
		ca      bool
		wantErr string
	}{
		{"defaults", nil, nil, 60 * time.Second, 5, false, ""},
		{"flags", nil, []string{"--timeout", "5s", "--retries", "2", "--ca-cert", srv.CAFile}, 5 * time.Second, 2, true, ""},
		{"zero means none", nil, []string{"--timeout", "0", "--retries", "0"}, 0, 0, false, ""},
		{"environment", map[string]string{"HOIST_TIMEOUT": "90s", "HOIST_RETRIES": "7", "HOIST_CA_CERT": srv.CAFile}, nil, 90 * time.Second, 7, true, ""},
		{"missing CA file", nil, []string{"--ca-cert", "/no/such/ca.pem"}, 0, 0, false, "reading --ca-cert"},
		{"CA file without PEM", nil, []string{"--ca-cert", notPEM}, 0, 0, false, "no PEM certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := optionsFor(t, inDir(t, "", tc.env), quiet, append([]string{"--repo", "127.0.0.2:5000/x"}, tc.args...)...)
			if hoisttest.WantError(t, err, tc.wantErr) {
				return
			}
			r := opts.Remote
			if r.Timeout != tc.timeout || r.Retries != tc.retries || (len(r.CACertPEM) > 0) != tc.ca {
				t.Errorf("Remote = timeout %v, retries %d, CA %d bytes; want %v, %d, CA %v", r.Timeout, r.Retries, len(r.CACertPEM), tc.timeout, tc.retries, tc.ca)
			}
		})
	}
}
