package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// Zoneinfo reads the Go toolchain's zoneinfo.zip, from which the distroless
// base's tzdata is written, from the GOROOT of the go command on environ's
// PATH run in dir: the toolchain that builds the binaries also dates them,
// so commands that publish the base alone get the same tzdata as a build.
func Zoneinfo(ctx context.Context, dir string, environ []string) ([]byte, error) {
	tc, err := goEnv(ctx, dir, environ)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(tc.goroot, "lib", "time", "zoneinfo.zip"))
	if err != nil {
		return nil, fmt.Errorf("reading tzdata from the Go toolchain: %w", err)
	}
	return data, nil
}
