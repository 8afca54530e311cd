package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/hoist-build/hoist/assemble"
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
	imgs []v1.Image // one per platform, in Options.Platforms order
	bins []string   // the binary of each image, for the SBOM
	data *build.Data
	snap *snapshot
	// unverified: the package lookup was reused although files changed, so
	// the build checks it still produced this package's command.
	unverified bool
}

// Run builds every package for every platform, then publishes them all. An
// error anywhere before publishing publishes nothing.
func Run(ctx context.Context, opts Options) ([]Result, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if len(opts.Platforms) == 0 {
		opts.Platforms = []v1.Platform{{OS: "linux", Architecture: "amd64"}}
	}
	targets, err := inspect(ctx, opts)
	if err != nil {
		return nil, err
	}
	bases, err := newBases(ctx, opts)
	if err != nil {
		return nil, err
	}
	if err := buildAll(ctx, opts, bases, targets); err != nil {
		return nil, err
	}
	for _, t := range targets {
		if err := t.snap.save(opts.Cache); err != nil {
			opts.Logger.Warn("not saving the build snapshot", "package", t.pkg.ImportPath, "error", err)
		}
	}
	results := make([]Result, 0, len(targets))
	for _, t := range targets {
		art, err := artifact(t.imgs)
		if err != nil {
			return nil, fmt.Errorf("indexing %s: %w", t.name, err)
		}
		opts.report(Event{Image: t.name, Stage: StagePushing})
		ref, err := opts.Publisher.Publish(ctx, t.name, art)
		if err != nil {
			return nil, err
		}
		opts.report(Event{Image: t.name, Stage: StageDone})
		if err := attestTarget(ctx, opts, bases, t, art, ref); err != nil {
			return nil, err
		}
		if err := signTarget(ctx, opts, bases, t, art, ref); err != nil {
			return nil, err
		}
		results = append(results, Result{ImportPath: t.pkg.ImportPath, ImageName: t.name, Ref: ref})
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
func inspect(ctx context.Context, opts Options) ([]*target, error) {
	byName := map[string]string{}
	var targets []*target
	for _, p := range opts.Packages {
		snap := loadSnapshot(opts.Cache, opts, p)
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
		n := publish.ImageName(pkg.ImportPath)
		if prev, ok := byName[n]; ok && prev != pkg.ImportPath {
			return nil, fmt.Errorf("%s and %s would both be published as image %q: build them in separate runs or rename one directory", prev, pkg.ImportPath, n)
		}
		if _, ok := byName[n]; ok {
			continue
		}
		byName[n] = pkg.ImportPath
		data := build.NewData(ctx, pkg.Dir, opts.Environ, opts.Created)
		targets = append(targets, &target{pkg: pkg, name: n, imgs: make([]v1.Image, len(opts.Platforms)), bins: make([]string, len(opts.Platforms)), data: &data, snap: snap,
			unverified: !snap.valid && snap.packageValid})
	}
	return targets, nil
}

func buildAll(ctx context.Context, opts Options, bases *bases, targets []*target) error {
	g, gctx := errgroup.WithContext(ctx)
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = 1
	}
	g.SetLimit(jobs)
	for ti, t := range targets {
		for pi, p := range opts.Platforms {
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
	base, err := bases.image(ctx, p)
	if err != nil {
		return nil, "", err
	}
	dir := filepath.Join(opts.WorkDir, key)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", err
	}
	binLayer, bin, err := binaryLayer(ctx, opts, bases.toolchain, t, p, dir)
	if err != nil {
		return nil, "", err
	}
	appLayers, env, err := kodataLayer(ctx, opts, t, dir)
	if err != nil {
		return nil, "", err
	}
	appLayers = append(appLayers, binLayer)
	img, err := assemble.Image(ctx, assemble.Options{
		Base:        base,
		Platform:    p,
		Layers:      appLayers,
		Entrypoint:  []string{filepath.Join(layers.AppDir, t.name)},
		User:        opts.User,
		WorkingDir:  "/",
		Env:         append(env, opts.Env...),
		Ports:       ports(opts.Port),
		Labels:      labels(opts, t),
		Annotations: opts.Annotations,
		Created:     opts.Created,
	})
	opts.report(Event{Image: t.name, Platform: p.String(), Stage: StageLayered})
	return img, bin, err
}

// kodataLayer writes the package's static assets, when it has kodata/.
func kodataLayer(ctx context.Context, opts Options, t *target, dir string) ([]assemble.Layer, []string, error) {
	kodata := filepath.Join(t.pkg.Dir, "kodata")
	if fi, err := os.Stat(kodata); err != nil || !fi.IsDir() {
		return nil, nil, nil
	}
	entries, err := layers.Kodata(kodata)
	if err != nil {
		return nil, nil, err
	}
	l, err := layers.New(ctx, entries, layers.Options{Time: opts.Created, Compression: opts.Compression, Dir: dir})
	if err != nil {
		return nil, nil, fmt.Errorf("writing kodata layer: %w", err)
	}
	layer := assemble.Layer{Layer: l, History: "hoist: static assets (kodata → " + layers.KodataPath + ")"}
	return []assemble.Layer{layer}, []string{"KO_DATA_PATH=" + layers.KodataPath}, nil
}

func ports(p int) []string {
	if p == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d/tcp", p)}
}

// labels are the OCI annotations-as-labels that registries and scanners
// show; each is set only where it is known.
func labels(opts Options, t *target) map[string]string {
	git := t.data.Git
	out := map[string]string{
		"org.opencontainers.image.title":   t.name,
		"org.opencontainers.image.created": opts.Created.UTC().Format(time.RFC3339),
	}
	if git.FullCommit != "" {
		out["org.opencontainers.image.revision"] = git.FullCommit
	}
	if git.Tag != "" {
		out["org.opencontainers.image.version"] = git.Tag
	}
	if src := sourceURL(t.pkg.Module.Path); src != "" {
		out["org.opencontainers.image.source"] = src
	}
	for k, v := range opts.Labels {
		out[k] = v
	}
	return out
}

// sourceURL guesses the repository URL from a module path on a well-known
// forge; elsewhere the module path is not necessarily a URL, so none is set.
func sourceURL(module string) string {
	for _, host := range []string{"github.com/", "gitlab.com/", "bitbucket.org/", "codeberg.org/"} {
		if strings.HasPrefix(module, host) {
			parts := strings.SplitN(module, "/", 4)
			if len(parts) >= 3 {
				return "https://" + strings.Join(parts[:3], "/")
			}
		}
	}
	return ""
}
