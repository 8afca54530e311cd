package pipeline

import (
	"context"

	"github.com/hoist-build/hoist/build"
)

// Zoneinfo reads the Go toolchain's zoneinfo.zip, from which the distroless
// base's tzdata is written, from the GOROOT of the go command on environ's
// PATH run in dir: the toolchain that builds the binaries also dates them,
// so commands that publish the base alone get the same tzdata as a build.
func Zoneinfo(ctx context.Context, dir string, environ []string) ([]byte, error) {
	tc, err := build.LoadToolchain(ctx, dir, environ)
	if err != nil {
		return nil, err
	}
	return tc.Zoneinfo()
}
