package pipeline

import (
	"context"
	"strings"

	"github.com/hoist-build/hoist/attest"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/sbom"
)

// attestTarget attaches the SBOMs and provenance of a published target to
// the registry it went to (or only writes them to SBOMDir for file
// destinations).
func attestTarget(ctx context.Context, opts Options, t *target, art publish.Artifact, ref string) error {
	if (opts.SBOM == "" || opts.SBOM == sbom.FormatNone) && !opts.Provenance {
		return nil
	}
	_, err := attest.Publish(ctx, attestOptions(opts, t, art, ref))
	return err
}

// attestOptions describes what attestTarget attaches (and signTarget signs).
func attestOptions(opts Options, t *target, art publish.Artifact, ref string) attest.Options {
	a := attest.Options{
		Name:         t.imageName(),
		Artifact:     art,
		Binaries:     map[string]string{},
		SBOM:         opts.SBOM,
		Base:         t.base.Components,
		NoProvenance: !opts.Provenance,
		Build: attest.Build{
			Source: sourceURL(t.pkg.Module.Path),
			Commit: t.data.Git.FullCommit,
			Args:   opts.Args,
		},
		Version: opts.Version,
		Created: opts.Created,
		Dir:     opts.SBOMDir,
		Remote:  opts.Remote,
		Logger:  opts.Logger,
	}
	if publish.Pushes(opts.Publisher) {
		a.Repository, _, _ = strings.Cut(ref, "@")
		a.Name = a.Repository
	}
	for i, p := range t.platforms {
		a.Binaries[p.String()] = t.bins[i]
	}
	return a
}
