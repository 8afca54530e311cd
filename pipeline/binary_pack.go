package pipeline

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/layers"
)

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

// layerKey names the binary layer of a binary: its digest and every
// setting that goes into the tar.
func (b binaryBuild) layerKey(digest string) string {
	return cache.Key(layerFormat, digest, b.t.bin, fmt.Sprintf("%x", b.t.ko.Capability), b.t.ko.CapabilityText,
		string(b.opts.Compression), b.opts.Created.UTC().String())
}

func (b binaryBuild) cached(digest string) (assemble.Layer, string, bool) {
	blobs, e := layers.GetCached(b.opts.Cache, b.layerKey(digest), nil)
	if len(blobs) != 1 {
		return assemble.Layer{}, "", false
	}
	b.opts.Logger.Info("unchanged, reusing cached build", "package", b.t.pkg.ImportPath, "platform", b.p.String())
	b.opts.report(Event{Image: b.t.name, Platform: b.p.String(), Stage: StageCached})
	return assemble.Layer{Layer: blobs[0], History: b.history()}, e.Path("binary"), true
}

// pack writes the layer of the binary at bin and, when digest (the binary's)
// is set, caches both.
func (b binaryBuild) pack(ctx context.Context, bin, digest string) (assemble.Layer, string, error) {
	l, err := layers.New(ctx, []layers.Entry{layers.BinaryWithCapability(bin, b.t.bin, b.t.ko.Capability)}, layers.Options{Time: b.opts.Created, Compression: b.opts.Compression, Dir: b.dir})
	if err != nil {
		return assemble.Layer{}, "", fmt.Errorf("writing binary layer: %w", err)
	}
	if digest != "" {
		bin := []cache.File{{Name: "binary", Path: bin, SHA256: digest}}
		if err := layers.PutCached(b.opts.Cache, b.layerKey(digest), []*layers.Blob{l}, bin, nil); err != nil {
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
