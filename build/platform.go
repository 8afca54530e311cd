package build

import (
	"fmt"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// defaultPlatform is what an image is built for when the caller names none;
// linux/amd64 is what most registries and clusters still expect.
var defaultPlatform = v1.Platform{OS: "linux", Architecture: "amd64"}

// supported mirrors `go tool dist list` for the toolchain hoist is built
// with. A static table avoids spawning the go command just to reject a typo.
var supported = map[string]bool{
	"aix/ppc64": true, "android/386": true, "android/amd64": true,
	"android/arm": true, "android/arm64": true, "darwin/amd64": true,
	"darwin/arm64": true, "dragonfly/amd64": true, "freebsd/386": true,
	"freebsd/amd64": true, "freebsd/arm": true, "freebsd/arm64": true,
	"freebsd/riscv64": true, "illumos/amd64": true, "ios/amd64": true,
	"ios/arm64": true, "js/wasm": true, "linux/386": true,
	"linux/amd64": true, "linux/arm": true, "linux/arm64": true,
	"linux/loong64": true, "linux/mips": true, "linux/mips64": true,
	"linux/mips64le": true, "linux/mipsle": true, "linux/ppc64": true,
	"linux/ppc64le": true, "linux/riscv64": true, "linux/s390x": true,
	"netbsd/386": true, "netbsd/amd64": true, "netbsd/arm": true,
	"netbsd/arm64": true, "openbsd/386": true, "openbsd/amd64": true,
	"openbsd/arm": true, "openbsd/arm64": true, "openbsd/ppc64": true,
	"openbsd/riscv64": true, "plan9/386": true, "plan9/amd64": true,
	"plan9/arm": true, "solaris/amd64": true, "wasip1/wasm": true,
	"windows/386": true, "windows/amd64": true, "windows/arm64": true,
}

// ParsePlatform parses "os/arch" or "os/arch/variant", e.g. "linux/arm/v7",
// and rejects platforms the go command cannot build for, so that a typo on
// the command line fails before any work starts.
func ParsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || slices.Contains(parts, "") {
		return v1.Platform{}, fmt.Errorf("invalid platform %q: want os/arch[/variant]", s)
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	if _, err := platformEnv(p); err != nil {
		return v1.Platform{}, err
	}
	return p, nil
}

// platformString formats p the way users write it on the command line.
func platformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// normalizePlatform fills in the default so that a zero Options works.
func normalizePlatform(p v1.Platform) v1.Platform {
	if p.OS == "" && p.Architecture == "" {
		d := defaultPlatform
		d.Variant = p.Variant
		return d
	}
	return p
}

// baselines pin the instruction-set level a platform without a variant
// means. Clearing GOAMD64 and friends from the environment is not enough:
// the go command also reads them from its GOENV file (`go env -w
// GOAMD64=v3`), and a v3 binary in an image that says plain linux/amd64
// crashes on older CPUs. The values are the toolchain's own defaults.
var baselines = map[string][]string{
	"amd64": {"GOAMD64=v1"}, "arm": {"GOARM=7"}, "arm64": {"GOARM64=v8.0"}, "386": {"GO386=sse2"},
	"mips": {"GOMIPS=hardfloat"}, "mipsle": {"GOMIPS=hardfloat"},
	"mips64": {"GOMIPS64=hardfloat"}, "mips64le": {"GOMIPS64=hardfloat"},
	"ppc64": {"GOPPC64=power8"}, "ppc64le": {"GOPPC64=power8"}, "riscv64": {"GORISCV64=rva20u64"},
}

// platformEnv returns the go environment that selects p, e.g.
// GOOS=linux GOARCH=arm GOARM=7 for linux/arm/v7.
func platformEnv(p v1.Platform) ([]string, error) {
	osArch := p.OS + "/" + p.Architecture
	if !supported[osArch] {
		return nil, fmt.Errorf("unsupported platform %q: go cannot build for %q (see `go tool dist list`)", platformString(p), osArch)
	}
	env := []string{"GOOS=" + p.OS, "GOARCH=" + p.Architecture}
	if p.Variant == "" {
		return env, nil
	}
	bad := func(want string) error {
		return fmt.Errorf("unsupported platform %q: variant %q of %s, want %s", platformString(p), p.Variant, p.Architecture, want)
	}
	switch p.Architecture {
	case "arm":
		switch p.Variant {
		case "v5", "v6", "v7":
			return append(env, "GOARM="+strings.TrimPrefix(p.Variant, "v")), nil
		}
		return nil, bad("v5, v6 or v7")
	case "arm64":
		// v8 is the baseline GOARCH=arm64 already targets.
		if p.Variant == "v8" {
			return env, nil
		}
		return nil, bad("v8")
	case "amd64":
		switch p.Variant {
		case "v1", "v2", "v3", "v4":
			return append(env, "GOAMD64="+p.Variant), nil
		}
		return nil, bad("v1, v2, v3 or v4")
	}
	return nil, bad("no variant")
}
