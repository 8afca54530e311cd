package registry_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/registry"
)

// downgradeWire plays an attacker on the path to a registry on a private
// address: TLS is blocked and plain http answers with a Basic challenge,
// which ggcr's own rule (http for RFC 1918) would follow with the password.
// No request leaves the process.
type downgradeWire struct {
	mu   sync.Mutex
	seen []string
}

func (w *downgradeWire) RoundTrip(req *http.Request) (*http.Response, error) {
	w.mu.Lock()
	w.seen = append(w.seen, req.Method+" "+req.URL.String()+" auth="+req.Header.Get("Authorization"))
	w.mu.Unlock()
	if req.URL.Scheme == "https" {
		return nil, errors.New("tls: handshake blocked")
	}
	h := http.Header{"Www-Authenticate": {`Basic realm="x"`}}
	return &http.Response{StatusCode: http.StatusUnauthorized, Header: h, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func TestPrivateRegistryNeverPlainHTTP(t *testing.T) {
	for _, host := range []string{"10.1.2.3:5000", "172.20.0.1:5000", "192.168.7.7:5000", "registry.localhost:5000"} {
		t.Run(host, func(t *testing.T) {
			wire := &downgradeWire{}
			opts := registry.Options{Transport: wire, Keychain: registrytest.Keychain{User: "u", Password: "canary-password"}}
			if _, err := registry.Pull(context.Background(), host+"/base:latest", v1.Platform{OS: "linux", Architecture: "amd64"}, opts); err == nil {
				t.Fatal("pull through a blocked TLS path succeeded")
			}
			if err := registry.CheckLogin(context.Background(), host, "u", "canary-password", opts); err == nil {
				t.Fatal("login through a blocked TLS path succeeded")
			}
			if len(wire.seen) == 0 {
				t.Fatal("no request reached the wire")
			}
			for _, r := range wire.seen {
				if strings.Contains(r, "http://") || !strings.HasSuffix(r, "auth=") {
					t.Errorf("sent %s: want https only and no credentials before TLS is up", r)
				}
			}
		})
	}
}

// TestRedirectKeepsCredentialsHome runs on loopback only: a registry that
// needs a password redirects blob downloads to another port of the same
// address, as registries redirect to storage, and the storage server must
// see no Authorization. Today net/http and ggcr already drop it here; the
// policy transport is the last line should either change
// (registry.TestTransportRedirect tests that layer alone).
func TestRedirectKeepsCredentialsHome(t *testing.T) {
	srv := registrytest.Start(t, registrytest.Options{Users: map[string]string{"u": "canary-pass"}})
	ref := srv.Host + "/base:latest"
	registrytest.Write(t, ref, registrytest.PlatformImage(t, v1.Platform{OS: "linux", Architecture: "amd64"}),
		remote.WithAuthFromKeychain(registrytest.Keychain{User: "u", Password: "canary-pass"}))
	var mu sync.Mutex
	var storageSaw []string
	storage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		storageSaw = append(storageSaw, r.Header.Get("Authorization"))
		mu.Unlock()
		proxyTo(w, r, srv.Host, "Basic "+base64.StdEncoding.EncodeToString([]byte("u:canary-pass")))
	}))
	t.Cleanup(storage.Close)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/blobs/sha256:") {
			http.Redirect(w, r, storage.URL+r.URL.Path, http.StatusTemporaryRedirect)
			return
		}
		proxyTo(w, r, srv.Host, r.Header.Get("Authorization"))
	}))
	t.Cleanup(front.Close)
	host := strings.TrimPrefix(front.URL, "http://")
	img, err := registry.Pull(context.Background(), host+"/base:latest", v1.Platform{OS: "linux", Architecture: "amd64"},
		registry.Options{Keychain: registrytest.Keychain{User: "u", Password: "canary-pass"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := img.RawConfigFile(); err != nil {
		t.Fatal(err)
	}
	if len(storageSaw) == 0 {
		t.Fatal("no blob was redirected: this test proves nothing")
	}
	for _, auth := range storageSaw {
		if auth != "" {
			t.Errorf("the storage host received Authorization %q", auth)
		}
	}
}

// proxyTo forwards r to the registry at host with the given Authorization.
func proxyTo(w http.ResponseWriter, r *http.Request, host, auth string) {
	out, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+host+r.URL.RequestURI(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	if auth != "" {
		out.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}
