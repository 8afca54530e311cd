package faults_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/registrytest"
)

const (
	user     = "hoist"
	password = "s3cret-pass"
)

// TestCLIAuthAndTLS runs `hoist build` against a registry that wants basic
// auth over TLS from a CA of its own. Credentials come from a docker
// config.json in DOCKER_CONFIG, trust from --ca-cert or SSL_CERT_FILE; the
// wrong password and an untrusted certificate must each fail in one line
// that says what to do, and push nothing.
func TestCLIAuthAndTLS(t *testing.T) {
	srv := registrytest.Start(t, registrytest.Options{Users: map[string]string{user: password}, TLS: true})
	good, bad := dockerConfig(t, srv.Host, user, password), dockerConfig(t, srv.Host, user, "wrong")
	// Each case pushes to its own repository: a second push of the same
	// image to the same tag would be skipped after one HEAD.
	ref := srv.Host + "/wrong-password/app:latest"
	cases := []struct {
		name string
		env  []string
		args []string
		want string // the last stderr line, or a part of it; "" for success
	}{
		{"docker config and --ca-cert", []string{"DOCKER_CONFIG=" + good}, []string{"--ca-cert", srv.CAFile}, ""},
		{"SSL_CERT_FILE", []string{"DOCKER_CONFIG=" + good, "SSL_CERT_FILE=" + srv.CAFile}, nil, ""},
		{"--insecure", []string{"DOCKER_CONFIG=" + good}, []string{"--insecure"}, ""},
		{"wrong password", []string{"DOCKER_CONFIG=" + bad}, []string{"--ca-cert", srv.CAFile},
			"hoist: pushing " + ref + ": " + srv.Host + ": 401 unauthorized: check the credentials for " + srv.Host + " (hoist login " + srv.Host + ")"},
		{"no credentials", nil, []string{"--ca-cert", srv.CAFile}, "401 unauthorized"},
		{"untrusted certificate", []string{"DOCKER_CONFIG=" + good}, nil, "unknown authority: trust its CA with --ca-cert FILE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := tlsCatalog(t, srv)
			path := strings.Trim(strings.ReplaceAll(strings.ToLower(tc.name), " ", "-"), "-")
			repo := srv.Host + "/" + path
			res := hoist(t, tc.env, append([]string{"build", "--repo", repo, "./app"}, tc.args...)...)
			if tc.want == "" {
				if res.Code != 0 {
					t.Fatalf("exit %d: %s", res.Code, res.Stderr)
				}
				if !strings.HasPrefix(res.Stdout, repo+"/app@sha256:") {
					t.Fatalf("stdout = %q, want a digest reference", res.Stdout)
				}
				if !slices.Contains(tlsCatalog(t, srv), path+"/app") {
					t.Errorf("hoist printed %s but the registry lacks %s/app", res.Stdout, path)
				}
				if tc.name == "--insecure" && !strings.Contains(res.Stderr, "--insecure: every registry") {
					t.Errorf("--insecure ran without its warning; stderr:\n%s", res.Stderr)
				}
				return
			}
			line := res.LastLine()
			t.Logf("hoist said: %s", line)
			if res.Code == 0 || !strings.Contains(line, tc.want) || res.Stdout != "" {
				t.Fatalf("exit %d, stdout %q, last line %q; want a failure containing %q", res.Code, res.Stdout, line, tc.want)
			}
			if strings.Contains(res.Stderr, "http://") {
				t.Errorf("hoist mentions plain http, a downgrade:\n%s", res.Stderr)
			}
			if after := tlsCatalog(t, srv); len(after) != len(before) {
				t.Errorf("repositories went from %v to %v on a failed push", before, after)
			}
		})
	}
}

// dockerConfig writes a config.json as `docker login` leaves it and returns
// its directory, for DOCKER_CONFIG.
func dockerConfig(t *testing.T, host, user, password string) string {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + password))
	data := `{"auths": {"` + host + `": {"auth": "` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// tlsCatalog lists the repositories as a client that trusts the test CA
// and knows the password sees them.
func tlsCatalog(t *testing.T, srv *registrytest.Server) []string {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CAPEM)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	reg, err := name.NewRegistry(srv.Host)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(context.Background(), reg, remote.WithTransport(tr), remote.WithAuth(&authn.Basic{Username: user, Password: password}))
	if err != nil {
		t.Fatalf("listing %s: %v", srv.Host, err)
	}
	return repos
}
