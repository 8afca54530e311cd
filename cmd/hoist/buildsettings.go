package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/pipeline"
)

// buildSettings shape the images and their build: the output, port and
// application groups.
type buildSettings struct {
	// platforms to build; allPlatforms says they were "all", which the
	// pipeline takes as the platforms of each package's base.
	platforms    []v1.Platform
	allPlatforms bool
	compression  layers.Compression
	progress     string
	// created dates images and files (SOURCE_DATE_EPOCH, else the epoch).
	created time.Time
	// port is exposed by the image and used by the manifests; 0 is none.
	port int
	user string
	// userIfUnset: the default user, which a pulled base's own user beats.
	userIfUnset bool
	// base, when set, is every package's; otherwise ko's rules apply with
	// defaultBase and baseOverrides.
	base, defaultBase   string
	baseOverrides       map[string]string
	env                 []string
	labels, annotations map[string]string
	jobs                int
	cacheDir            string
	noCache             bool
	images              []config.ImageSpec
}

func (s *settings) loadOutput(r reader) error {
	b := &s.build
	var err error
	if b.platforms, b.allPlatforms, err = s.platforms(r); err != nil {
		return err
	}
	// --tarball holds one image: the one `docker load` on this machine
	// runs. Platforms the user chose are kept, and refused if several.
	if s.dest.tarball != "" && b.allPlatforms && s.platformSource() == fromNone {
		host := hostPlatform()
		s.notes = append(s.notes, note{slog.LevelInfo, "--tarball holds one platform: writing " + host + " (set --platform to choose)"})
		p, _ := build.ParsePlatform(host)
		b.platforms, b.allPlatforms = []v1.Platform{p}, false
	}
	if b.compression, err = layers.ParseCompression(r.v.GetString("compression")); err != nil {
		return err
	}
	b.progress = r.v.GetString("progress")
	b.created, err = sourceDateEpoch()
	return err
}

// hostPlatform is this machine's platform if hoist builds it by default,
// else the first default.
func hostPlatform() string {
	host := "linux/" + runtime.GOARCH
	if runtime.GOARCH == "arm" {
		host = "linux/arm/v7"
	}
	if !slices.Contains(base.AllPlatforms, host) {
		host = base.DefaultPlatform
	}
	return host
}

func (s *settings) loadPort(r reader) error {
	s.build.port = r.v.GetInt("port")
	if p := s.build.port; p < 0 || p > 65535 {
		return fmt.Errorf("invalid port %d: want 1-65535, or 0 for none", p)
	}
	return nil
}

func (s *settings) loadApplication(r reader) error {
	b := &s.build
	var err error
	if b.user, err = pipeline.ParseUser(r.v.GetString("user")); err != nil {
		return err
	}
	// Unless asked for, a pulled base's own user stands (hoist's 65532
	// applies where the base names none).
	b.userIfUnset = s.sourceOf("user", "HOIST_USER", "", s.file.User != "", false) == fromNone
	if b.labels, err = pipeline.ParseKeyValues("label", r.list("label", false)); err != nil {
		return err
	}
	if b.annotations, err = pipeline.ParseKeyValues("annotation", r.list("annotation", false)); err != nil {
		return err
	}
	b.env = r.list("env", false)
	if _, err = pipeline.ParseKeyValues("env", b.env); err != nil {
		return err
	}
	b.jobs, b.cacheDir, b.noCache = r.v.GetInt("jobs"), r.v.GetString("cache-dir"), r.v.GetBool("no-cache")
	b.images = s.file.Images
	s.applyBase(r)
	s.koWarnings()
	return nil
}

// platforms parses the platform names the precedence picked.
func (s *settings) platforms(r reader) (_ []v1.Platform, all bool, err error) {
	names := s.platformNames(r)
	if len(names) == 0 {
		names = s.spec.platforms
	}
	if len(names) == 1 && names[0] == "all" {
		names, all = base.AllPlatforms, true
	}
	out := make([]v1.Platform, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		p, err := build.ParsePlatform(n)
		if err != nil {
			return nil, false, err
		}
		if !seen[p.String()] {
			seen[p.String()] = true
			out = append(out, p)
		}
	}
	return out, all, nil
}

// sourceDateEpoch is the reproducible-builds convention for the build time;
// without it images are dated at the epoch, never at the wall clock.
func sourceDateEpoch() (time.Time, error) {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		return time.Unix(0, 0).UTC(), nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, fmt.Errorf("invalid SOURCE_DATE_EPOCH %q: want Unix seconds", s)
	}
	return time.Unix(n, 0).UTC(), nil
}
