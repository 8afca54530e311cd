package e2e

import (
	"context"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/runctest"
)

// serve runs img under runc until the test ends and waits until it
// answers GET path on port.
func serve(ctx context.Context, t *testing.T, img v1.Image, opts runctest.Options, port int, path string) *runctest.Container {
	t.Helper()
	c, err := runctest.Start(ctx, img, t.TempDir(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.WaitHTTP(ctx, port, path); err != nil {
		t.Fatalf("GET %s never answered on :%d: %v\nlogs:\n%s", path, port, err, c.Logs())
	}
	return c
}

// wantBody GETs path on :80 and wants 200 with exactly the body want.
func wantBody(ctx context.Context, t *testing.T, c *runctest.Container, path, want string) {
	t.Helper()
	status, body, err := c.Get(ctx, 80, path)
	if err != nil || status != 200 || string(body) != want {
		t.Errorf("GET %s = %d %q (%v), want 200 %s", path, status, body, err, want)
	}
}
