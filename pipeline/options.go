package pipeline

import (
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
	"github.com/hoist-build/hoist/sign"
)

// Base names the synthesized bases; any other value is an image reference.
const (
	BaseDistroless = base.DistrolessName
	BaseScratch    = base.ScratchName
)

// Options is everything one run needs; the command line fills it in.
type Options struct {
	// Dir is the directory packages are resolved from and .ko.yaml lives in.
	Dir      string
	Packages []string
	// Platforms are built for every package; none means base.DefaultPlatform.
	Platforms []v1.Platform
	// Environ is the environment of the go command and of template {{.Env}}.
	Environ []string
	Ko      *config.Ko
	// Base, when set, is every package's base: a choice made to hoist
	// (--base, HOIST_BASE, .hoist.yaml). Otherwise a package's base is
	// BaseOverrides[lowercased import path], else DefaultBase, else the
	// synthesized distroless: ko's baseImageOverrides and defaultBaseImage.
	Base          string
	BaseOverrides map[string]string
	DefaultBase   string
	// AllPlatforms ("--platform all") builds every platform of each
	// package's base: those a pulled base's index lists, base.AllPlatforms
	// for the synthesized ones. Platforms is then ignored.
	AllPlatforms bool
	// Images are built besides Packages: each holds several commands
	// (.hoist.yaml images).
	Images []config.ImageSpec
	// Port is exposed as PORT/tcp; 0 exposes none.
	Port int
	User string
	// UserIfUnset applies User only where the base names no user (a
	// pulled base's own user stands): the default, not an explicit --user.
	UserIfUnset bool
	Env         []string
	Labels      map[string]string
	Annotations map[string]string
	// Created is the image and layer time (SOURCE_DATE_EPOCH, else epoch).
	Created     time.Time
	Compression layers.Compression
	// Jobs bounds concurrent platform builds.
	Jobs      int
	Publisher publish.Publisher
	Remote    registry.Options
	// Supply chain: SBOM format (sbom.FormatNone for none), whether to
	// attach provenance, and where to also write the documents.
	SBOM       sbom.Format
	Provenance bool
	SBOMDir    string
	// Version is hoist's version and CAVersion the pinned CA bundle
	// module's, as the documents record them; Args is the command line
	// the provenance publishes.
	Version, CAVersion string
	Args               []string
	// Signer, when set, signs every pushed image (and each image of an
	// index) and attests its SBOM and provenance, in cosign's format.
	Signer sign.Signer
	// Cache, when set, keeps compiled binaries and their layers between runs.
	Cache *cache.Cache
	// Progress, when set, receives an Event at every stage change.
	Progress func(Event)
	// WorkDir holds binaries and layer blobs while the run lasts.
	WorkDir string
	// Stderr receives the go command's diagnostics.
	Stderr io.Writer
	Logger *slog.Logger
}

// withDefaults fills in what a caller may leave out: the library's one
// default platform, and a logger that discards.
func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if len(o.Platforms) == 0 {
		p, _ := v1.ParsePlatform(base.DefaultPlatform)
		o.Platforms = []v1.Platform{*p}
	}
	return o
}

// ParseUser validates "UID[:GID]" numerically: names cannot be resolved in
// an image without a passwd lookup at build time.
func ParseUser(s string) (string, error) {
	uid, gid, hasGID := strings.Cut(s, ":")
	if _, err := strconv.ParseUint(uid, 10, 32); err != nil {
		return "", fmt.Errorf("invalid user %q: want a numeric UID[:GID], e.g. 65532:65532", s)
	}
	if !hasGID {
		return uid + ":" + uid, nil
	}
	if _, err := strconv.ParseUint(gid, 10, 32); err != nil {
		return "", fmt.Errorf("invalid user %q: want a numeric UID[:GID], e.g. 65532:65532", s)
	}
	return s, nil
}

// ParseKeyValues turns repeated k=v flags into a map.
func ParseKeyValues(what string, kvs []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid %s %q: want key=value", what, kv)
		}
		out[k] = v
	}
	return out, nil
}
