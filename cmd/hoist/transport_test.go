package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestRepositoryCannotWeakenTransport: insecure settings in a repository's
// .hoist.yaml reach loopback registries only, unless the user confirms them
// with a flag or HOIST_* variable; what is ignored is said in one line.
func TestRepositoryCannotWeakenTransport(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		env       map[string]string
		args      []string
		plain     map[string]bool // host → plain http allowed
		wantWarn  string
		wantNoLog string
	}{
		{"file insecure narrowed to loopback", "insecure: true\n", nil, nil,
			map[string]bool{"10.0.0.5:5000": false, "ghcr.io": false, "127.0.0.1:5000": true},
			"applied to loopback registries only", ""},
		{"file insecure confirmed by flag", "insecure: true\n", nil, []string{"--insecure"},
			map[string]bool{"10.0.0.5:5000": true, "ghcr.io": true}, "--insecure: every registry", "applied to loopback"},
		{"file insecure confirmed by env", "insecure: true\n", map[string]string{"HOIST_INSECURE": "true"}, nil,
			map[string]bool{"10.0.0.5:5000": true}, "--insecure: every registry", "applied to loopback"},
		{"file list narrowed", "insecure-registries: [10.0.0.5:5000, 'localhost:5000']\n", nil, nil,
			map[string]bool{"10.0.0.5:5000": false, "localhost:5000": true},
			".hoist.yaml insecure-registries 10.0.0.5:5000 ignored", ""},
		{"file list confirmed by flag", "insecure-registries: [10.0.0.5:5000]\n", nil, []string{"--insecure-registry", "10.0.0.5:5000"},
			map[string]bool{"10.0.0.5:5000": true, "10.0.0.6:5000": false}, "insecure registries", "ignored"},
		{"env list", "", map[string]string{"HOIST_INSECURE_REGISTRY": "reg.lan,10.0.0.7:80"}, nil,
			map[string]bool{"reg.lan:5000": true, "10.0.0.7:80": true, "10.0.0.7:81": false}, "insecure registries", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := inDir(t, tt.file, tt.env)
			var logs bytes.Buffer
			opts, err := optionsFor(t, dir, slog.New(slog.NewTextHandler(&logs, nil)), append([]string{"--repo", "127.0.0.1:5000/t"}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			policy := opts.Remote
			for host, want := range tt.plain {
				if got := policy.NameOptions(host + "/x"); (len(got) > 0) != want {
					t.Errorf("%s: plain http allowed = %v, want %v", host, len(got) > 0, want)
				}
			}
			if !strings.Contains(logs.String(), tt.wantWarn) {
				t.Errorf("logs %q lack %q", logs.String(), tt.wantWarn)
			}
			if tt.wantNoLog != "" && strings.Contains(logs.String(), tt.wantNoLog) {
				t.Errorf("logs %q mention %q", logs.String(), tt.wantNoLog)
			}
		})
	}
}
