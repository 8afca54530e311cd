package registrytest

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/distribution/distribution/v3/configuration"
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd" // registers the htpasswd access controller
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory" // registers the inmemory driver
	"github.com/sirupsen/logrus"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// Options configures Start.
type Options struct {
	// Users turns on htpasswd basic auth for these user → password pairs.
	Users map[string]string
	// TLS serves https with a certificate from a CA made for this server.
	// The server then listens on 127.0.0.2, which ggcr, unlike 127.0.0.1,
	// does not treat as a local registry to reach over plain http: clients
	// must verify it as they would a remote registry.
	TLS bool
}

// Server is a running registry.
type Server struct {
	// Host is the registry's host:port.
	Host string
	// CAPEM is the certificate of the CA that signed the server's (TLS only),
	// and CAFile a file holding it.
	CAPEM  []byte
	CAFile string
}

// New starts an in-memory Distribution registry on loopback and returns its
// host:port. It is stopped when the test ends.
func New(t testing.TB) string {
	t.Helper()
	return Start(t, Options{}).Host
}

// Start starts an in-memory Distribution registry on loopback as opts asks.
// It is stopped when the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	cfg := &configuration.Configuration{}
	cfg.Storage = configuration.Storage{
		"inmemory": configuration.Parameters{},
		"delete":   configuration.Parameters{"enabled": true},
	}
	cfg.Log.Level = "error"
	cfg.Log.AccessLog.Disabled = true
	cfg.HTTP.Secret = "hoist-test"
	// The parsed-file default; a struct literal leaves it 0, which refuses every catalog request.
	cfg.Catalog.MaxEntries = 1000
	if len(opts.Users) > 0 {
		cfg.Auth = configuration.Auth{"htpasswd": configuration.Parameters{
			"realm": "hoist-test",
			"path":  writeHtpasswd(t, opts.Users),
		}}
	}
	logrus.SetOutput(io.Discard)
	srv := httptest.NewUnstartedServer(handlers.NewApp(context.Background(), cfg))
	srv.Config.ErrorLog = quietLog() // refused handshakes are what some tests are about
	s := &Server{}
	if opts.TLS {
		ca, err := hoisttest.NewCA("hoist test CA")
		if err != nil {
			t.Fatal(err)
		}
		leaf, err := ca.Leaf("127.0.0.2", "localhost")
		if err != nil {
			t.Fatal(err)
		}
		s.CAPEM = ca.PEM
		s.CAFile = filepath.Join(t.TempDir(), "ca.pem")
		if err := os.WriteFile(s.CAFile, ca.PEM, 0o644); err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.2:0")
		if err != nil {
			t.Fatalf("listening on 127.0.0.2 (a loopback address Linux routes): %v", err)
		}
		srv.Listener.Close()
		srv.Listener = ln
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLS()}}
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	s.Host = u.Host
	return s
}
