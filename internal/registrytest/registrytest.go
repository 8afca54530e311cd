package registrytest

import (
	"context"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory" // registers the inmemory driver
	"github.com/sirupsen/logrus"
)

// New starts an in-memory Distribution registry on loopback and returns its
// host:port. It is stopped when the test ends.
func New(t testing.TB) string {
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
	logrus.SetOutput(io.Discard)
	srv := httptest.NewServer(handlers.NewApp(context.Background(), cfg))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
