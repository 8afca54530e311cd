package publish_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/publish"
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
			opts := publish.RemoteOptions{Transport: wire, Keychain: keychain{"u", "canary-password"}, Retries: -1}
			if _, err := publish.Pull(context.Background(), host+"/base:latest", v1.Platform{OS: "linux", Architecture: "amd64"}, opts); err == nil {
				t.Fatal("pull through a blocked TLS path succeeded")
			}
			if err := publish.CheckLogin(context.Background(), host, "u", "canary-password", opts); err == nil {
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
