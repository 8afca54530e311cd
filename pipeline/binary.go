package pipeline

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/layers"
)

// binaryLayer compiles the package and writes its layer, or takes both from
// the cache when nothing that decides their bytes has changed. It returns
// the layer and the path of the binary.
func binaryLayer(ctx context.Context, opts Options, tc toolchain, t *target, p v1.Platform, dir string) (assemble.Layer, string, error) {
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
		return b.pack(ctx, "")
	}
	goEnv, args, err := build.Command(ctx, b.bopts)
	if err != nil {
		return assemble.Layer{}, "", err
	}
	// The capability is in the cached layer, so it is part of the key.
	inv := cache.Key(invocationKey(opts, t, tc, goEnv, args), "capability", t.ko.Capability)
	key, known := t.snap.key(inv)
	var compiled <-chan error
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !known {
		// The sources changed, or were never seen: compile while go list
		// and hashing work out the key. After an edit the key misses and
		// the two overlap; on a hit the compile is cancelled.
		compiled = b.compile(cctx)
		var stamps map[string]stamp
		if key, stamps, err = binaryKey(ctx, opts, inv, goEnv, args); err != nil {
			cancel()
			<-compiled
			return assemble.Layer{}, "", err
		}
		t.snap.record(inv, key, stamps)
	}
	if l, bin, ok := b.cached(key); ok {
		if compiled != nil {
			cancel()
			<-compiled
		}
		return l, bin, nil
	}
	if compiled == nil {
		compiled = b.compile(cctx)
	}
	if err := <-compiled; err != nil {
		return assemble.Layer{}, "", err
	}
	return b.pack(ctx, key)
}

// binaryBuild is one package's binary for one platform.
type binaryBuild struct {
	opts  Options
	t     *target
	p     v1.Platform
	dir   string
	bopts build.Options
}

func (b binaryBuild) history() string {
	return "hoist: " + b.t.pkg.ImportPath + " binary (" + layers.AppDir + "/" + b.t.bin + ", " + b.t.ko.CapabilityText + ")"
}

// compile runs go build in the background; the channel yields its result.
func (b binaryBuild) compile(ctx context.Context) <-chan error {
	done := make(chan error, 1)
	b.opts.report(Event{Image: b.t.name, Platform: b.p.String(), Stage: StageCompiling})
	go func() {
		start := time.Now()
		err := build.Build(ctx, b.bopts)
		if b.t.unverified && ctx.Err() == nil {
			err = b.verifyMain(ctx, err)
		}
		if err == nil {
			b.opts.Logger.Info("compiled", "package", b.t.pkg.ImportPath, "platform", b.p.String(), "took", time.Since(start).Round(time.Millisecond))
		}
		done <- err
	}()
	return done
}

func (b binaryBuild) cached(key string) (assemble.Layer, string, bool) {
	var d layers.Descriptor
	e, _ := b.opts.Cache.Get(key, &d)
	if e == nil {
		return assemble.Layer{}, "", false
	}
	b.opts.Logger.Info("unchanged, reusing cached build", "package", b.t.pkg.ImportPath, "platform", b.p.String())
	b.opts.report(Event{Image: b.t.name, Platform: b.p.String(), Stage: StageCached})
	return assemble.Layer{Layer: layers.FromBlob(e.Path("layer"), d), History: b.history()}, e.Path("binary"), true
}

// pack writes the binary layer and, when key is set, caches both.
func (b binaryBuild) pack(ctx context.Context, key string) (assemble.Layer, string, error) {
	bin := b.bopts.Output
	l, err := layers.New(ctx, []layers.Entry{layers.BinaryWithCapability(bin, b.t.bin, b.t.ko.Capability)}, layers.Options{Time: b.opts.Created, Compression: b.opts.Compression, Dir: b.dir})
	if err != nil {
		return assemble.Layer{}, "", fmt.Errorf("writing binary layer: %w", err)
	}
	if key != "" {
		d, _ := layers.Describe(l)
		files := []cache.File{{Name: "binary", Path: bin}, {Name: "layer", Path: layers.Path(l), SHA256: d.Digest.Hex}}
		if err := b.opts.Cache.Put(key, files, d); err != nil {
			b.opts.Logger.Warn("not caching the build", "package", b.t.pkg.ImportPath, "error", err)
		}
	}
	return assemble.Layer{Layer: l, History: b.history()}, bin, nil
}

// verifyMain checks, after a build that reused the package lookup, that the
// output is still that package's command: an edit may have changed its
// package clause. If not, or if the build failed, the lookup runs again so
// that its clearer error ("not a main package") is the one reported.
func (b binaryBuild) verifyMain(ctx context.Context, buildErr error) error {
	if buildErr == nil {
		bi, err := buildinfo.ReadFile(b.bopts.Output)
		if err == nil && bi.Path == b.t.pkg.ImportPath {
			return nil
		}
		buildErr = fmt.Errorf("building %s: the output is not its command: run again", b.t.pkg.ImportPath)
	}
	if _, err := build.Inspect(ctx, b.opts.Dir, b.t.pkg.ImportPath, b.opts.Environ); err != nil {
		return err
	}
	return buildErr
}
