package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/registry"
)

// settings is the merged configuration: flags over HOIST_* over .hoist.yaml.
type settings struct {
	v     *viper.Viper
	hoist *config.Hoist
	ko    *config.Ko
	// progress and upload receive the run's events and upload bytes, and
	// stderr the go command's output, when --progress set them up.
	progress func(pipeline.Event)
	upload   func(image string, done, total int64)
	stderr   io.Writer
	// flags are the command's own, to tell a flag given from a default.
	flags *pflag.FlagSet
	// sources is the build cache's table of blob locations, for mounts.
	sources *cache.Sources
}

func loadSettings(flags *pflag.FlagSet) (*settings, error) {
	v := viper.New()
	v.SetEnvPrefix("HOIST")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if err := v.BindEnv("repo", "HOIST_REPO", "KO_DOCKER_REPO"); err != nil {
		return nil, err
	}
	if err := v.BindEnv("cache-dir", "HOIST_CACHE"); err != nil {
		return nil, err
	}
	if err := v.BindPFlags(flags); err != nil {
		return nil, err
	}
	path := v.GetString("config")
	// Strict parsing first: viper would silently ignore a misspelt key.
	hoist, err := config.LoadHoist(path)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		v.SetConfigFile(path)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
	}
	ko, err := loadKo()
	if err != nil {
		return nil, err
	}
	return &settings{v: v, flags: flags, hoist: hoist, ko: ko}, nil
}

// list reads a list setting; from the environment it arrives as one string,
// split here on commas (and by viper on spaces).
func (s *settings) list(key string, commas bool) []string {
	if !commas {
		return s.v.GetStringSlice(key)
	}
	return splitCommas(s.v.GetStringSlice(key))
}

func splitList(item string) []string {
	var out []string
	for _, part := range strings.Split(item, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func (s *settings) pipelineOptions(cwd string, args []string, log *slog.Logger) (pipeline.Options, error) {
	opts := pipeline.Options{
		Dir: cwd, Packages: args, Environ: os.Environ(), Ko: s.ko,
		Port: s.v.GetInt("port"),
		Env:  s.list("env", false), Jobs: s.v.GetInt("jobs"),
		Remote: registry.Options{
			Timeout: s.v.GetDuration("timeout"),
			Retries: s.v.GetInt("retries"), Logger: log,
		},
		Stderr: os.Stderr, Logger: log, Progress: s.progress,
	}
	if s.stderr != nil {
		opts.Stderr = s.stderr
	}
	switch {
	case len(opts.Packages) == 0 && len(s.hoist.Images) > 0:
		opts.Images = s.hoist.Images
	case len(opts.Packages) == 0:
		opts.Packages = []string{"."}
	case len(s.hoist.Images) > 0:
		log.Info("packages given: the images of .hoist.yaml are not built this time")
	}
	s.applyBase(&opts)
	var err error
	if opts.Platforms, opts.AllPlatforms, err = s.platforms(); err != nil {
		return opts, err
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return opts, fmt.Errorf("invalid port %d: want 1-65535, or 0 for none", opts.Port)
	}
	if opts.User, err = pipeline.ParseUser(s.v.GetString("user")); err != nil {
		return opts, err
	}
	// Unless asked for, a pulled base's own user stands (hoist's 65532
	// applies where the base names none).
	opts.UserIfUnset = s.sourceOf("user", "HOIST_USER", "", s.hoist.User != "", false) == fromNone
	if opts.Labels, err = pipeline.ParseKeyValues("label", s.list("label", false)); err != nil {
		return opts, err
	}
	if opts.Annotations, err = pipeline.ParseKeyValues("annotation", s.list("annotation", false)); err != nil {
		return opts, err
	}
	if _, err = pipeline.ParseKeyValues("env", opts.Env); err != nil {
		return opts, err
	}
	if opts.Compression, err = layers.ParseCompression(s.v.GetString("compression")); err != nil {
		return opts, err
	}
	if opts.Created, err = sourceDateEpoch(); err != nil {
		return opts, err
	}
	s.koWarnings(log, opts)
	if opts.Remote.CACertPEM, err = readCACert(s.v.GetString("ca-cert")); err != nil {
		return opts, err
	}
	if err := applyTransport(&opts.Remote, s.flags, s.hoist, log); err != nil {
		return opts, err
	}
	if err := s.supplyChain(&opts, os.Args[1:]); err != nil {
		return opts, err
	}
	if opts.Cache, err = s.cache(log); err != nil {
		return opts, err
	}
	if opts.Cache != nil {
		s.sources = opts.Cache.Sources()
	}
	if opts.Publisher, err = s.publisher(log, opts.Remote, opts.Platforms); err != nil {
		return opts, err
	}
	return opts, s.unusedFlags(opts)
}

// cache opens the build cache: --cache-dir, HOIST_CACHE, else the user
// cache directory. Without a usable cache dir hoist still works, uncached.
func (s *settings) cache(log *slog.Logger) (*cache.Cache, error) {
	if s.v.GetBool("no-cache") {
		return nil, nil
	}
	dir := s.v.GetString("cache-dir")
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			log.Warn("no user cache directory: building without a cache", "error", err)
			return nil, nil
		}
		dir = filepath.Join(base, "hoist")
	}
	return cache.Open(dir, 0, log)
}

// platforms returns the platforms to build; all says they were "all",
// which the pipeline takes as the platforms of each package's base.
func (s *settings) platforms() (_ []v1.Platform, all bool, err error) {
	names := s.platformNames()
	if len(names) == 0 {
		names = []string{base.DefaultPlatform}
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
