package registrytest

import (
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Catalog lists the repositories of the plain-http test registry at host:
// a refused or failed push must leave it empty.
func Catalog(t testing.TB, host string) []string {
	t.Helper()
	reg, err := name.NewRegistry(host)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(context.Background(), reg)
	if err != nil {
		t.Fatalf("listing %s: %v", host, err)
	}
	return repos
}
