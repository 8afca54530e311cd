package registry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Manifest is one manifest of a pushed image: the image, or an index or
// one of the runnable images it lists.
type Manifest struct {
	Ref       name.Digest
	MediaType types.MediaType
	Platform  *v1.Platform // nil for a lone image or an index
	Index     bool
}

// Manifests resolves ref and lists what checking, signing or verifying it
// covers: the image, or the index then each runnable image in it (not
// attestation manifests such as buildx's, whose platform is
// unknown/unknown, in indexes hoist did not make).
func (o Options) Manifests(ctx context.Context, ref name.Reference) ([]Manifest, error) {
	ropts, err := o.RemoteOptions(ctx, ref.Context().RegistryStr())
	if err != nil {
		return nil, err
	}
	desc, err := remote.Get(ref, ropts...)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", ref, err)
	}
	repo := ref.Context()
	top := Manifest{Ref: repo.Digest(desc.Digest.String()), MediaType: desc.MediaType, Index: desc.MediaType.IsIndex()}
	if !top.Index {
		return []Manifest{top}, nil
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading index %s: %w", top.Ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index %s: %w", top.Ref, err)
	}
	out := []Manifest{top}
	for _, c := range im.Manifests {
		if !c.MediaType.IsImage() || c.Platform == nil || c.Platform.OS == "unknown" {
			continue
		}
		out = append(out, Manifest{Ref: repo.Digest(c.Digest.String()), MediaType: c.MediaType, Platform: c.Platform})
	}
	return out, nil
}

// Finding is what a check found about one manifest (EachManifest).
type Finding interface {
	// Label names the manifest in a message: its digest reference, with
	// the platform of an image in an index.
	Label() string
	// Issues are the problems found; none means the manifest passed.
	Issues() []string
}

// Report is what a check of each manifest of an image found: Ref is the
// image or index, Manifests one Finding per manifest, the index first.
type Report[F Finding] struct {
	Ref       name.Digest
	Manifests []F
}

// FirstProblem is nil when no manifest has an issue, else one line: doing,
// the first issue after its manifest's label, and how many more there are.
func (r Report[F]) FirstProblem(doing string) error {
	var first string
	n := 0
	for _, m := range r.Manifests {
		for _, p := range m.Issues() {
			if n == 0 {
				first = m.Label() + ": " + p
			}
			n++
		}
	}
	switch n {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s %s", doing, first)
	}
	return fmt.Errorf("%s %s (and %d more problems)", doing, first, n-1)
}

// EachManifest runs check on each of ref's Manifests in order, with the
// remote options for ref's registry. It stops at the first error (a
// registry that could not be read, not a failed check: those are the
// findings' issues), returning what it found so far.
func EachManifest[F Finding](ctx context.Context, ref name.Reference, opts Options, check func(Manifest, []remote.Option) (F, error)) (Report[F], error) {
	ms, err := opts.Manifests(ctx, ref)
	if err != nil {
		return Report[F]{}, err
	}
	ropts, err := opts.RemoteOptions(ctx, ref.Context().RegistryStr())
	if err != nil {
		return Report[F]{}, err
	}
	r := Report[F]{Ref: ms[0].Ref}
	for _, m := range ms {
		f, err := check(m, ropts)
		r.Manifests = append(r.Manifests, f)
		if err != nil {
			return r, err
		}
	}
	return r, nil
}
