package publish

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/registry"
)

// memSources is an in-memory BlobSources.
type memSources struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSources) Lookup(_ string, d v1.Hash) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.m[d.String()]
	return r, ok
}

func (s *memSources) Record(_, repo string, ds []v1.Hash) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range ds {
		s.m[d.String()] = repo
	}
}

// countingTransport counts blob uploads (PATCH/PUT with a body) and mount
// requests (POST ...?mount=).
type countingTransport struct {
	mu              sync.Mutex
	uploads, mounts int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	switch {
	case r.Method == http.MethodPost && strings.Contains(r.URL.RawQuery, "mount="):
		c.mounts++
	case r.Method == http.MethodPatch:
		c.uploads++
	}
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// pushCounting publishes art to host/repo with src as the blob sources,
// counting uploads and mounts.
func pushCounting(t *testing.T, host, repo string, src BlobSources, art Artifact) *countingTransport {
	t.Helper()
	ct := &countingTransport{}
	r := newRegistry(t, RegistryOptions{Repo: host + "/" + repo, Bare: true, Sources: src, Remote: registry.Options{Transport: ct}})
	if _, err := r.Publish(context.Background(), "x", art); err != nil {
		t.Fatal(err)
	}
	return ct
}

// TestCrossRepositoryMount pushes an image to one repository, then the same
// image to another: the second push must mount every layer and upload only
// the config (a few hundred bytes ggcr does not route through mounts).
func TestCrossRepositoryMount(t *testing.T) {
	host := registrytest.New(t)
	src := &memSources{m: map[string]string{}}
	img := randomImage(t)
	first := pushCounting(t, host, "one", src, img)
	if first.uploads == 0 || first.mounts != 0 {
		t.Fatalf("first push: %d uploads, %d mounts; want uploads only", first.uploads, first.mounts)
	}
	second := pushCounting(t, host, "two", src, img)
	ls, _ := img.Layers()
	if second.mounts != len(ls) || second.uploads != 1 {
		t.Errorf("second push: %d uploads, %d mounts; want %d mounts and only the config uploaded", second.uploads, second.mounts, len(ls))
	}
}

// TestCrossRepositoryMountIndex does the same for a two-platform index,
// whose children are reached through the wrapped index.
func TestCrossRepositoryMountIndex(t *testing.T) {
	host := registrytest.New(t)
	src := &memSources{m: map[string]string{}}
	idx, _ := platformIndex(t, amd64, arm64)
	first, second := pushCounting(t, host, "i1", src, idx), pushCounting(t, host, "i2", src, idx)
	if first.mounts != 0 || second.mounts != len(layerDigests(idx)) {
		t.Errorf("mounts per push = [%d %d], want [0 %d]", first.mounts, second.mounts, len(layerDigests(idx)))
	}
}
