package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
)

// binaryLayer compiles the package and writes its layer. With a cache, the
// Go toolchain decides what is stale: go build writes into a stable output
// directory, where it skips relinking a binary that is up to date, and the
// layer is cached by the binary's digest. Only when a snapshot vouches that
// no input changed since a build that produced a known binary is the
// toolchain skipped. It returns the layer and the path of the binary.
func binaryLayer(ctx context.Context, opts Options, tc build.Toolchain, t *target, p v1.Platform, dir string) (assemble.Layer, string, error) {
	env, flags, ldflags := t.ko.Env, t.ko.Flags, t.ko.Ldflags
	b := binaryBuild{opts: opts, t: t, p: p, dir: dir, bopts: build.Options{
		Dir: opts.Dir, Package: t.pkg.ImportPath, Platform: p, Environ: opts.Environ,
		Env: env, Flags: flags, Ldflags: ldflags, Output: filepath.Join(dir, t.bin),
		Stderr: opts.Stderr, Logger: opts.Logger, Time: opts.Created, Data: t.data,
	}}
	if opts.Cache == nil {
		if err := <-b.compile(ctx); err != nil {
			return assemble.Layer{}, "", err
		}
		return b.pack(ctx, b.bopts.Output, "")
	}
	return b.viaCache(ctx, tc)
}

// viaCache builds with a cache: from the snapshot's binary when it vouches
// for it, else compiling into the stable output directory.
func (b binaryBuild) viaCache(ctx context.Context, tc build.Toolchain) (assemble.Layer, string, error) {
	opts, t := b.opts, b.t
	goEnv, args, err := build.Command(ctx, b.bopts)
	if err != nil {
		return assemble.Layer{}, "", err
	}
	inv := invocation(goEnv, args)
	world, trusted := b.worldKey(tc, goEnv, args, inv)
	if trusted {
		if digest, ok := t.snap.binary(world); ok {
			if l, bin, ok := b.cached(digest); ok {
				return l, bin, nil
			}
		}
	}
	// Locked until the binary is taken: another run building the same
	// invocation must not replace it half-way through the hashing.
	out, unlock, err := opts.Cache.Output(cache.Key(inv...))
	if err != nil {
		return assemble.Layer{}, "", err
	}
	defer unlock()
	b.bopts.Output = filepath.Join(out, t.bin)
	start := time.Now()
	compiled := b.compile(ctx)
	var deps []build.Dep
	var listErr error
	if trusted && t.snap.unrecordable(start) {
		opts.Logger.Debug("a source was saved just now: not recording a snapshot", "package", t.pkg.ImportPath)
		trusted = false
	}
	if trusted {
		// While go build runs: the inputs to stamp afterwards.
		deps, listErr = listDeps(ctx, tc, opts.Dir, goEnv, args)
	}
	if err := <-compiled; err != nil {
		return assemble.Layer{}, "", err
	}
	if testHookAfterCompile != nil {
		testHookAfterCompile(t.pkg.Dir)
	}
	bin, digest, err := b.take(ctx)
	if err != nil {
		return assemble.Layer{}, "", err
	}
	switch {
	case trusted && listErr == nil:
		b.remember(ctx, tc, world, digest, inputPaths(tc, deps), start)
	case trusted:
		opts.Logger.Debug("inputs not listed: not recording a snapshot", "package", t.pkg.ImportPath, "error", listErr)
	}
	if l, cbin, ok := b.cached(digest); ok {
		return l, cbin, nil
	}
	return b.pack(ctx, bin, digest)
}

// testHookAfterCompile lets a test edit a source file between the compile
// and the stamping, the window in which a save races the build.
var testHookAfterCompile func(pkgDir string)

// worldKey names everything besides the stamped files that decides the
// binary: the invocation and, when the build stamps it, the VCS state.
// trusted is false when no snapshot can stand for this build.
func (b binaryBuild) worldKey(tc build.Toolchain, env, args, inv []string) (string, bool) {
	if !snapshotAllowed(tc, env, args) {
		return "", false
	}
	vcs := "off"
	if stampsVCS(tc, env, args) {
		if !b.t.vcsOK {
			return "", false
		}
		vcs = b.t.vcs
	}
	return cache.Key(append(inv, vcs)...), true
}

// take links the freshly built (or left up-to-date) binary from the stable
// output directory into the run's own directory, where no later build can
// replace it, and hashes it.
func (b binaryBuild) take(ctx context.Context) (string, string, error) {
	bin := filepath.Join(b.dir, b.t.bin)
	os.Remove(bin)
	if err := cache.LinkOrCopy(b.bopts.Output, bin); err != nil {
		return "", "", fmt.Errorf("taking the binary of %s: %w", b.t.pkg.ImportPath, err)
	}
	digest, err := cache.FileSHA256(bin)
	if err != nil {
		return "", "", fmt.Errorf("hashing the binary of %s: %w", b.t.pkg.ImportPath, err)
	}
	return bin, digest, nil
}

// remember records the binary in the snapshot, unless an input changed
// while the build ran (its stamp is newer than the build's start) or the
// VCS state moved: the binary may then hold either version, so it must not
// be filed under these stamps.
func (b binaryBuild) remember(ctx context.Context, tc build.Toolchain, world, digest string, paths []string, start time.Time) {
	stamps, ok := stampAll(paths, start)
	if ok && b.t.vcs != "" {
		vcs, vok := vcsState(ctx, b.t.pkg.Dir, b.opts.Environ)
		ok = vok && vcs == b.t.vcs
	}
	if !ok {
		b.opts.Logger.Debug("inputs changed during the build: not recording a snapshot", "package", b.t.pkg.ImportPath)
		return
	}
	b.t.snap.record(world, digest, stamps)
}
