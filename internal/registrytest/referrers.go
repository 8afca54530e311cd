package registrytest

import (
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
)

// NewWithReferrers starts ggcr's in-memory registry with the OCI 1.1
// referrers API on, on loopback, and returns its host:port. Distribution
// (New) lacks that API; tests that must hold on both kinds of registry run
// against each. It is stopped when the test ends.
func NewWithReferrers(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
