package base

import "github.com/google/go-containerregistry/pkg/v1"

// DefaultPlatform is the platform built when none is chosen: the one
// default of --platform, which the command line shows and the pipeline
// applies to Options that name none.
const DefaultPlatform = "linux/amd64"

// AllPlatforms is what "--platform all" means on the synthesized bases:
// every Linux platform that distroless and the Go toolchain both support.
var AllPlatforms = []string{DefaultPlatform, "linux/arm64", "linux/arm/v7", "linux/ppc64le", "linux/s390x", "linux/riscv64"}

// parsePlatforms parses names known to be valid.
func parsePlatforms(names []string) ([]v1.Platform, error) {
	out := make([]v1.Platform, 0, len(names))
	for _, s := range names {
		p, err := v1.ParsePlatform(s)
		if err != nil {
			return nil, err
		}
		out = append(out, *p)
	}
	return out, nil
}
