package pipeline

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/attest"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/sbom"
	"github.com/hoist-build/hoist/sign"
)

// signTarget signs a target pushed to a registry, each platform image of
// an index too, and attests its SBOMs and provenance (the documents
// attestTarget attached unsigned) in cosign's format.
func signTarget(ctx context.Context, opts Options, t *target, art publish.Artifact, ref string) error {
	if opts.Signer == nil {
		return nil
	}
	if !publish.Pushes(opts.Publisher) {
		return fmt.Errorf("signing %s: signatures are attached in a registry; push with --repo, or sign after pushing with `hoist sign`", t.name)
	}
	top, err := name.NewDigest(ref, opts.Remote.NameOptions(ref)...)
	if err != nil {
		return fmt.Errorf("signing %s: %w", ref, err)
	}
	repo := top.Context()
	ms := []sign.Manifest{{Ref: top}}
	if idx, ok := art.(v1.ImageIndex); ok {
		im, err := idx.IndexManifest()
		if err != nil {
			return fmt.Errorf("signing %s: %w", ref, err)
		}
		for _, d := range im.Manifests {
			ms = append(ms, sign.Manifest{Ref: repo.Digest(d.Digest.String())})
		}
	}
	if (opts.SBOM == "" || opts.SBOM == sbom.FormatNone) && !opts.Provenance {
		return sign.Publish(ctx, sign.Options{Signer: opts.Signer, Remote: opts.Remote, Logger: opts.Logger}, ms)
	}
	docs, err := attest.Documents(attestOptions(opts, t, art, ref))
	if err != nil {
		return err
	}
	for _, d := range docs {
		st, err := sign.DocumentStatement(d.MediaType, d.Data, sign.Subject{Name: repo.Name(), Digest: d.Subject.Digest})
		if err != nil {
			return err
		}
		i := slices.IndexFunc(ms, func(m sign.Manifest) bool { return m.Ref.DigestStr() == d.Subject.Digest.String() })
		if i < 0 {
			return fmt.Errorf("signing %s: a document is about %s, not one of its manifests", ref, d.Subject.Digest)
		}
		ms[i].Statements = append(ms[i].Statements, st)
	}
	return sign.Publish(ctx, sign.Options{Signer: opts.Signer, Remote: opts.Remote, Logger: opts.Logger}, ms)
}
