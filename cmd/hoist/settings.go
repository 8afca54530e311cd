package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/publish"
)

// allPlatforms is what "--platform all" means with the synthesized bases:
// every Linux platform that distroless and the Go toolchain both support.
var allPlatforms = []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/ppc64le", "linux/s390x", "linux/riscv64"}

// settings is the merged configuration: flags over HOIST_* over .hoist.yaml.
type settings struct {
	v    *viper.Viper
	ko   *config.Ko
	view *liveView // the live progress display, when on
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
	if _, err := config.LoadHoist(path); err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err == nil {
		v.SetConfigFile(path)
		v.SetConfigType("yaml")
		if err := v.ReadInConfig(); err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
	}
	ko, err := config.LoadKo(".ko.yaml")
	if err != nil {
		return nil, err
	}
	return &settings{v: v, ko: ko}, nil
}

// list reads a list setting; from the environment it arrives as one string,
// split here on commas (and by viper on spaces).
func (s *settings) list(key string, commas bool) []string {
	var out []string
	for _, item := range s.v.GetStringSlice(key) {
		if !commas {
			out = append(out, item)
			continue
		}
		for _, part := range strings.Split(item, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func (s *settings) pipelineOptions(cwd string, args []string, log *slog.Logger) (pipeline.Options, error) {
	opts := pipeline.Options{
		Dir: cwd, Packages: args, Environ: os.Environ(), Ko: s.ko,
		Base: s.v.GetString("base"), Port: s.v.GetInt("port"),
		Env: s.list("env", false), Jobs: s.v.GetInt("jobs"),
		Remote: publish.RemoteOptions{
			Insecure: s.v.GetBool("insecure"), Timeout: timeoutOption(s.v.GetDuration("timeout")),
			Retries: retriesOption(s.v.GetInt("retries")), Logger: log,
		},
		Stderr: os.Stderr, Logger: log,
	}
	if len(opts.Packages) == 0 {
		opts.Packages = []string{"."}
	}
	var err error
	if opts.Platforms, err = s.platforms(); err != nil {
		return opts, err
	}
	if opts.Port < 0 || opts.Port > 65535 {
		return opts, fmt.Errorf("invalid port %d: want 1-65535, or 0 for none", opts.Port)
	}
	if opts.User, err = pipeline.ParseUser(s.v.GetString("user")); err != nil {
		return opts, err
	}
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
	if opts.Remote.CACertPEM, err = readCACert(s.v.GetString("ca-cert")); err != nil {
		return opts, err
	}
	if opts.Remote.Insecure {
		log.Warn("--insecure: TLS verification is off and plain http is allowed")
	}
	if err := s.supplyChain(&opts, os.Args[1:]); err != nil {
		return opts, err
	}
	if s.view != nil {
		opts.Progress = s.view.event
	}
	if opts.Cache, err = s.cache(log); err != nil {
		return opts, err
	}
	if opts.Cache != nil {
		s.sources = opts.Cache.Sources()
	}
	opts.Publisher, err = s.publisher(log, opts.Remote, opts.Platforms)
	return opts, err
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

func (s *settings) platforms() ([]v1.Platform, error) {
	names := s.list("platform", true)
	if len(names) == 1 && names[0] == "all" {
		names = allPlatforms
	}
	out := make([]v1.Platform, 0, len(names))
	seen := map[string]bool{}
	for _, n := range names {
		p, err := build.ParsePlatform(n)
		if err != nil {
			return nil, err
		}
		if !seen[p.String()] {
			seen[p.String()] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// publisher picks the destination: an explicit file destination first, then
// a registry, then the default layout.
func (s *settings) publisher(log *slog.Logger, remote publish.RemoteOptions, platforms []v1.Platform) (publish.Publisher, error) {
	layout, tarball, repo := s.v.GetString("oci-layout"), s.v.GetString("tarball"), s.v.GetString("repo")
	tags := s.list("tag", true)
	switch {
	case layout != "" && tarball != "":
		return nil, fmt.Errorf("both --oci-layout and --tarball given: choose one destination")
	case tarball != "":
		if len(platforms) > 1 {
			return nil, fmt.Errorf("--tarball holds one platform but %d were asked for: pass one --platform, or use --oci-layout", len(platforms))
		}
		return publish.NewTarball(tarball, repo, tags)
	case layout != "":
		return publish.NewLayout(layout, tags)
	case repo != "":
		if p, err := s.localPublisher(repo, tags, log); p != nil || err != nil {
			return p, err
		}
		ropts := publish.RegistryOptions{Repo: repo, Bare: s.v.GetBool("bare"), Tags: tags, Remote: remote, Logger: log}
		if s.view != nil {
			ropts.Progress = s.view.upload
		}
		if s.sources != nil {
			ropts.Sources = s.sources
		}
		return publish.NewRegistry(ropts)
	}
	log.Info("no destination configured: writing to the OCI layout " + defaultLayout + " (set --repo to push)")
	return publish.NewLayout(filepath.FromSlash(defaultLayout), tags)
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
