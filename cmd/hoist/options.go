package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
)

// runOptions prepares a build of packages (none: .hoist.yaml's images, else
// ".") in cwd: the pipeline's options with the cache and the destinations
// opened.
func (s *settings) runOptions(cwd string, packages []string, d *display) (pipeline.Options, error) {
	opts := s.pipelineOptions(cwd, packages, d)
	var err error
	if opts.Cache, err = s.openCache(d.log); err != nil {
		return opts, err
	}
	var sources *cache.Sources
	if opts.Cache != nil {
		sources = opts.Cache.Sources()
	}
	if opts.Publisher, err = s.publisher(d.log, s.registryPublisherOptions(opts.Remote, sources, d)); err != nil {
		return opts, err
	}
	return opts, s.unusedFlags(opts)
}

// pipelineOptions is the one mapping of the settings onto a pipeline run.
func (s *settings) pipelineOptions(cwd string, packages []string, d *display) pipeline.Options {
	b, sc := s.build, s.supply
	opts := pipeline.Options{
		Dir: cwd, Packages: packages, Environ: os.Environ(), Ko: s.ko,
		Platforms: b.platforms, AllPlatforms: b.allPlatforms,
		Base: b.base, DefaultBase: b.defaultBase, BaseOverrides: b.baseOverrides,
		Port: b.port, User: b.user, UserIfUnset: b.userIfUnset, Env: b.env,
		Labels: b.labels, Annotations: b.annotations, Created: b.created,
		Compression: b.compression, Jobs: b.jobs,
		Remote: s.remote.registryOptions(d.log),
		SBOM:   sc.sbom, Provenance: sc.provenance, SBOMDir: sc.sbomDir, Signer: sc.signer,
		Version: hoistVersion(), Args: s.invocation,
		Progress: d.progress, Stderr: d.stderr, Logger: d.log,
	}
	// The CA bundle is compiled into hoist: its version is hoist's build
	// info's.
	if bi, ok := debug.ReadBuildInfo(); ok {
		opts.CAVersion = sbom.ModuleVersion(bi, sbom.CAModule)
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	switch {
	case len(packages) == 0 && len(b.images) > 0:
		opts.Images = b.images
	case len(packages) == 0:
		opts.Packages = []string{"."}
	case len(b.images) > 0:
		d.log.Info("packages given: the images of .hoist.yaml are not built this time")
	}
	return opts
}

// registryPublisherOptions is the one mapping onto the registry
// destination's options.
func (s *settings) registryPublisherOptions(remote registry.Options, sources *cache.Sources, d *display) publish.RegistryOptions {
	ro := publish.RegistryOptions{Repo: s.dest.repo, Bare: s.dest.bare, Tags: s.dest.tags, Remote: remote, Logger: d.log, Progress: d.upload}
	if sources != nil {
		ro.Sources = sources
	}
	return ro
}

// openCache opens the build cache: --cache-dir, HOIST_CACHE, else the user
// cache directory. Without a usable cache dir hoist still works, uncached.
func (s *settings) openCache(log *slog.Logger) (*cache.Cache, error) {
	if s.build.noCache {
		return nil, nil
	}
	dir := s.build.cacheDir
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
