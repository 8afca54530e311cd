package pipeline

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/publish"
)

// Result is one published image.
type Result struct {
	ImportPath string
	ImageName  string
	// Ref is the digest reference the publisher returned.
	Ref string
}

// target is one package to build.
type target struct {
	pkg  build.Package
	name string
	// bin is the binary's name in /ko-app: the last path element, case
	// kept, as ko names it (name is lowercased for the registry).
	bin string
	// platforms are Options.Platforms, or the base's with AllPlatforms.
	platforms []v1.Platform
	imgs      []v1.Image // one per platform, in platforms order
	bins      []string   // the binary of each image, for the SBOM
	// base is the package's base image, ko its .ko.yaml build settings.
	base base.Base
	ko   koEntry
	// image, when set, is the name the image is published under, and extra
	// the other commands it holds (a .hoist.yaml images entry): this
	// target's binary is the entrypoint.
	image string
	extra []*target
	data  *build.Data
	snap  *snapshot
	// vcs is the version-control state the binary is stamped with (see
	// vcsState); vcsOK is false where hoist cannot read it.
	vcs   string
	vcsOK bool
	// unverified: the package lookup was reused although files changed, so
	// the build checks it still produced this package's command.
	unverified bool
}

// Run builds every package for every platform, then publishes them all. An
// error anywhere before publishing publishes nothing.
func Run(ctx context.Context, opts Options) ([]Result, error) {
	opts = opts.withDefaults()
	tc, err := build.LoadToolchain(ctx, opts.Dir, opts.Environ)
	if err != nil {
		return nil, err
	}
	bases := newBases(ctx, opts, tc)
	targets, err := inspect(ctx, opts, bases)
	if err != nil {
		return nil, err
	}
	if err := buildAll(ctx, opts, bases, targets); err != nil {
		return nil, err
	}
	for _, t := range targets {
		for _, m := range t.members() {
			if err := m.snap.save(opts.Cache); err != nil {
				opts.Logger.Warn("not saving the build snapshot", "package", m.pkg.ImportPath, "error", err)
			}
		}
	}
	results := make([]Result, 0, len(targets))
	for _, t := range targets {
		art, err := artifact(t.imgs)
		if err != nil {
			return nil, fmt.Errorf("indexing %s: %w", t.imageName(), err)
		}
		opts.report(Event{Image: t.imageName(), Stage: StagePushing})
		ref, err := opts.Publisher.Publish(ctx, t.imageName(), art)
		if err != nil {
			return nil, err
		}
		opts.report(Event{Image: t.imageName(), Stage: StageDone})
		if err := attestTarget(ctx, opts, t, art, ref); err != nil {
			return nil, err
		}
		if err := signTarget(ctx, opts, t, art, ref); err != nil {
			return nil, err
		}
		results = append(results, Result{ImportPath: t.pkg.ImportPath, ImageName: t.imageName(), Ref: ref})
	}
	return results, nil
}

func artifact(imgs []v1.Image) (publish.Artifact, error) {
	if len(imgs) == 1 {
		return imgs[0], nil
	}
	return assemble.Index(imgs)
}

// inspect resolves every package before any compile starts, so a typo in the
// last argument does not cost the build of the first.
func inspect(ctx context.Context, opts Options, bases *bases) ([]*target, error) {
	byName := map[string]string{}
	var targets []*target
	pkgs, err := expandPatterns(ctx, opts)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, p := range pkgs {
		t, err := newTarget(ctx, opts, bases, p)
		if err != nil {
			return nil, err
		}
		if !seen[t.pkg.ImportPath] {
			seen[t.pkg.ImportPath] = true
			targets = append(targets, t)
		}
	}
	disambiguate(opts, targets)
	for _, t := range targets {
		byName[t.name] = t.pkg.ImportPath
	}
	images, err := inspectImages(ctx, opts, bases, byName)
	if err != nil {
		return nil, err
	}
	return append(targets, images...), nil
}

// newTarget resolves one package: its lookup (from the snapshot when
// the sources did not change), .ko.yaml settings, base and platforms.
func newTarget(ctx context.Context, opts Options, bases *bases, p string) (*target, error) {
	snap := loadSnapshot(opts.Cache, keyOf(bases.toolchain, opts, p))
	pkg := snap.Package
	switch {
	case snap.valid:
		opts.Logger.Debug("sources unchanged since the last run: skipping go list", "package", p)
	case snap.packageValid:
		opts.Logger.Debug("only file contents changed: reusing the package lookup", "package", p)
	default:
		var err error
		if pkg, err = build.Inspect(ctx, opts.Dir, p, opts.Environ); err != nil {
			return nil, err
		}
		snap.Package = pkg
	}
	t := &target{pkg: pkg, name: publish.ImageName(pkg.ImportPath), bin: appFilename(pkg.ImportPath), snap: snap,
		unverified: !snap.valid && snap.packageValid, base: bases.For(pkg.ImportPath), platforms: opts.Platforms}
	var wg sync.WaitGroup
	wg.Go(func() {
		data := build.NewData(ctx, pkg.Dir, opts.Environ, opts.Created)
		t.data = &data
	})
	if opts.Cache != nil {
		t.vcs, t.vcsOK = vcsState(ctx, pkg.Dir, opts.Environ)
	}
	wg.Wait()
	var err error
	if t.ko, err = koBuild(opts.Ko, opts.Dir, pkg.Dir); err != nil {
		return nil, fmt.Errorf("%s: %w", pkg.ImportPath, err)
	}
	if t.ko.ID != "" {
		opts.Logger.Info("using build config "+t.ko.ID, "package", pkg.ImportPath)
	}
	if opts.AllPlatforms {
		if t.platforms, err = t.base.Platforms(ctx); err != nil {
			return nil, err
		}
	}
	t.imgs, t.bins = make([]v1.Image, len(t.platforms)), make([]string, len(t.platforms))
	return t, nil
}

// expandPatterns replaces each "./..."-style argument by the main packages
// it matches, keeping the order and dropping repeats.
func expandPatterns(ctx context.Context, opts Options) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range opts.Packages {
		ps := []string{p}
		if build.IsPattern(p) {
			var err error
			if ps, err = build.MainPackages(ctx, opts.Dir, p, opts.Environ); err != nil {
				return nil, err
			}
		}
		for _, q := range ps {
			if !seen[q] {
				seen[q] = true
				out = append(out, q)
			}
		}
	}
	return out, nil
}

func buildAll(ctx context.Context, opts Options, bases *bases, targets []*target) error {
	g, gctx := errgroup.WithContext(ctx)
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = 1
	}
	g.SetLimit(jobs)
	for ti, t := range targets {
		for pi, p := range t.platforms {
			g.Go(func() error {
				img, bin, err := buildOne(gctx, opts, bases, t, p, fmt.Sprintf("%d-%d", ti, pi))
				if err != nil {
					return err
				}
				t.imgs[pi], t.bins[pi] = img, bin
				return nil
			})
		}
	}
	return g.Wait()
}

// buildOne returns the platform's image and the path of its binary.
func buildOne(ctx context.Context, opts Options, bases *bases, t *target, p v1.Platform, key string) (v1.Image, string, error) {
	baseImg, err := t.base.Image(ctx, p)
	if err != nil {
		return nil, "", err
	}
	dir := filepath.Join(opts.WorkDir, key)
	var binLayers []assemble.Layer
	var bin string
	for i, m := range t.members() {
		mdir := dir
		if i > 0 {
			mdir = filepath.Join(dir, fmt.Sprint("extra-", i-1))
		}
		l, mbin, err := memberLayer(ctx, opts, bases.toolchain, m, p, mdir, baseImg, t.base)
		if err != nil {
			return nil, "", err
		}
		binLayers = append(binLayers, l)
		if i == 0 {
			bin = mbin
		}
	}
	appLayers, env, err := kodataLayer(ctx, opts, t, dir)
	if err != nil {
		return nil, "", err
	}
	img, err := assemble.Image(ctx, assemble.Options{
		Base:        baseImg,
		Platform:    p,
		Layers:      append(appLayers, binLayers...),
		Entrypoint:  []string{path.Join(layers.AppDir, t.bin)},
		User:        userFor(opts, baseImg),
		WorkingDir:  "/",
		Env:         append(env, opts.Env...),
		Ports:       ports(opts.Port),
		Labels:      labels(opts, t),
		Annotations: opts.Annotations,
		Created:     opts.Created,
	})
	opts.report(Event{Image: t.imageName(), Platform: p.String(), Stage: StageLayered})
	return img, bin, err
}

// memberLayer builds one command of an image, in dir, and checks that the
// base can run it.
func memberLayer(ctx context.Context, opts Options, tc build.Toolchain, m *target, p v1.Platform, dir string, baseImg v1.Image, b base.Base) (assemble.Layer, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return assemble.Layer{}, "", err
	}
	l, bin, err := binaryLayer(ctx, opts, tc, m, p, dir)
	if err != nil {
		return assemble.Layer{}, "", err
	}
	if err := checkInterpreter(ctx, bin, baseImg, b, m.pkg.ImportPath); err != nil {
		return assemble.Layer{}, "", err
	}
	return l, bin, nil
}
