package attest

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/hoist-build/hoist/provenance"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
)

// Options describes one published image or index and what to attest.
type Options struct {
	// Name names the image in the documents: the repository it was pushed
	// to ("ghcr.io/acme/app"), or the image name ("app") for file
	// destinations. Defaults to Repository.
	Name string
	// Repository, when set, is the registry repository Artifact has been
	// pushed to; the documents are attached to it there. Leave it empty
	// for OCI layout and tarball destinations: only Dir is written.
	Repository string
	// Artifact is what was published: a v1.Image or a v1.ImageIndex.
	Artifact publish.Artifact
	// Binaries maps each platform ("linux/amd64", "linux/arm/v7": the
	// v1.Platform String form) to the path of the binary in that platform's
	// image. A lone image may use any key. They are read, not kept.
	Binaries map[string]string
	// SBOM selects the SBOM format; "" or sbom.FormatNone writes none.
	SBOM sbom.Format
	// Base lists the base's components for a binary built by goVersion
	// ("go1.26.8"); nil for scratch. For the synthesized base:
	//	func(gv string) []sbom.Component { return sbom.DistrolessBase(caVersion, gv) }
	Base func(goVersion string) []sbom.Component
	// NoProvenance turns provenance off.
	NoProvenance bool
	// Build is what the provenance records about the invocation.
	Build Build
	// Version is hoist's version, the documents' creating tool.
	Version string
	// Created dates the SBOMs and the artifact manifests: pass the image's
	// creation time (SOURCE_DATE_EPOCH, else the epoch; zero means the
	// epoch) so rebuilding the same image attaches byte-identical artifacts
	// rather than new ones.
	Created time.Time
	// Dir, when set, also receives the documents as files (--sbom-dir).
	Dir    string
	Remote registry.Options
	Logger *slog.Logger
}

// Build is the provenance's account of the invocation.
type Build struct {
	// Source is the repository URL; Commit the full commit hash, which
	// defaults to the vcs.revision the go command stamped in the binary.
	Source string
	Commit string
	// Args is the command line. It is published: leave out secrets.
	Args []string
	// Materials are other inputs, such as a pulled base by digest.
	Materials []provenance.Material
	// StartedOn and FinishedOn bound the build; zero leaves them out.
	StartedOn, FinishedOn time.Time
}

// Attached is one document written or attached.
type Attached struct {
	Kind      Kind
	MediaType string
	// Subject is the manifest the document is about.
	Subject  v1.Hash
	Platform *v1.Platform
	// Artifact is the digest of the artifact manifest in the registry;
	// zero when nothing was pushed.
	Artifact v1.Hash
	// File is the path written under Dir, or "".
	File string
}

// Publish writes the SBOMs and the provenance for a published image or
// index, to Dir and/or attached in Repository (the image must be pushed
// already). For an index, each platform image gets its own SBOM, and one
// provenance statement whose subjects are the index and all its images is
// attached to the index and to every image, so whichever digest a consumer
// resolves has both.
func Publish(ctx context.Context, opts Options) ([]Attached, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Created.IsZero() {
		opts.Created = time.Unix(0, 0).UTC() // attach dates the artifacts too
	}
	docs, err := Documents(opts)
	if err != nil {
		return nil, err
	}
	out := make([]Attached, len(docs))
	for i, d := range docs {
		out[i] = Attached{Kind: d.Kind, MediaType: d.MediaType, Subject: d.Subject.Digest, Platform: d.Platform}
	}
	if opts.Dir != "" {
		files, err := WriteDir(opts.Dir, docs)
		if err != nil {
			return nil, err
		}
		for i := range out {
			out[i].File = files[i]
		}
	}
	if opts.Repository == "" {
		return out, nil
	}
	repo, err := name.NewRepository(opts.Repository, opts.Remote.NameOptions(opts.Repository)...)
	if err != nil {
		return nil, fmt.Errorf("attesting: invalid repository %q: %w", opts.Repository, err)
	}
	// Without the referrers API, each attach rewrites its subject's
	// fallback tag, and concurrent rewrites of one tag would lose entries:
	// documents about one subject go one at a time, subjects in parallel.
	bySubject := map[v1.Hash][]int{}
	for i, d := range docs {
		bySubject[d.Subject.Digest] = append(bySubject[d.Subject.Digest], i)
	}
	var g errgroup.Group
	for _, idxs := range bySubject {
		g.Go(func() error {
			for _, i := range idxs {
				d := docs[i]
				a, err := attach(ctx, repo, d, opts.Created, opts.Remote)
				if err != nil {
					return err
				}
				out[i].Artifact = a
				opts.Logger.Info("attached", "kind", d.Kind, "type", d.MediaType,
					"subject", repo.Digest(d.Subject.Digest.String()).String(), "artifact", a.String())
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
