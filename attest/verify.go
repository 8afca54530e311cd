package attest

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/provenance"
	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
)

// provenancePredicates are the SLSA provenance versions Verify accepts as
// provenance; other in-toto predicates are listed as unrelated.
var provenancePredicates = map[string]bool{
	provenance.PredicateType:           true,
	"https://slsa.dev/provenance/v0.2": true,
}

// Verify resolves ref and checks that an SBOM and a provenance statement
// are attached to it, and that each attached document is about it: its
// artifact's subject is the manifest, an SBOM describes the manifest's
// digest, and a provenance statement lists it as a subject. For an index,
// the index needs provenance and each platform image needs both (see the
// package doc). The error is nil only if nothing is missing or mismatched;
// the report is filled in either way, as far as the registry answered.
func Verify(ctx context.Context, ref name.Reference, opts registry.Options) (Report, error) {
	r, err := registry.EachManifest(ctx, ref, opts, checkManifest)
	if err == nil {
		err = r.FirstProblem("verifying")
	}
	return Report{r}, err
}

// checkManifest lists one manifest's referrers and checks each document.
// The error is for a registry that could not be read, not for a failed
// check; those are the report's Problems.
// An index needs provenance only, each image an SBOM too.
func checkManifest(m registry.Manifest, ropts []remote.Option) (ManifestReport, error) {
	digest, err := v1.NewHash(m.Ref.DigestStr())
	if err != nil {
		return ManifestReport{}, err
	}
	mr := ManifestReport{Manifest: m, Digest: digest}
	repo, needSBOM := m.Ref.Context(), !m.Index
	refs, err := remote.Referrers(m.Ref, ropts...)
	if err != nil {
		return mr, fmt.Errorf("listing referrers of %s: %w", m.Ref, err)
	}
	im, err := refs.IndexManifest()
	if err != nil {
		return mr, fmt.Errorf("listing referrers of %s: %w", m.Ref, err)
	}
	found := map[Kind]bool{}
	for _, r := range im.Manifests {
		a := checkAttachment(repo, digest, r, ropts)
		mr.Attachments = append(mr.Attachments, a)
		if a.Problem != "" {
			mr.Problems = append(mr.Problems, a.Problem)
		} else if a.Kind != "" {
			found[a.Kind] = true
		}
	}
	if needSBOM && !found[KindSBOM] {
		mr.Problems = append(mr.Problems, "no SBOM attached")
	}
	if !found[KindProvenance] {
		mr.Problems = append(mr.Problems, "no provenance attached")
	}
	return mr, nil
}

// checkAttachment reads and checks one referrer. An artifact that cannot
// be read is a problem, not an error: the fallback index keeps listing
// artifacts that were deleted since.
func checkAttachment(repo name.Repository, subject v1.Hash, r v1.Descriptor, ropts []remote.Option) Attachment {
	a := Attachment{ArtifactType: r.ArtifactType, Artifact: r.Digest}
	switch r.ArtifactType {
	case sbom.SPDXMediaType, "application/spdx+json", sbom.CycloneDXMediaType, provenance.MediaType:
	default:
		a.Summary = "not checked"
		return a
	}
	m, data, err := readDocument(repo, r, ropts)
	switch {
	case err != nil:
		a.Problem = err.Error()
	case m.Subject == nil || m.Subject.Digest != subject:
		a.Problem = fmt.Sprintf("artifact %s is listed as a referrer but its subject is not %s", r.Digest, subject)
	case r.ArtifactType == provenance.MediaType:
		checkStatement(&a, subject, data)
	default:
		checkSBOM(&a, subject, data)
	}
	return a
}

func checkSBOM(a *Attachment, subject v1.Hash, data []byte) {
	a.Kind = KindSBOM
	info, err := sbom.Inspect(a.ArtifactType, data)
	switch {
	case err != nil:
		a.Problem = fmt.Sprintf("SBOM %s: %v", a.Artifact, err)
		return
	case info.Digest == "":
		a.Problem = fmt.Sprintf("SBOM %s names no image digest", a.Artifact)
	case info.Digest != subject.String():
		a.Problem = fmt.Sprintf("SBOM %s describes %s, not this image", a.Artifact, info.Digest)
	}
	a.Summary = fmt.Sprintf("%s, %d packages", info.Version, info.Packages)
}

func checkStatement(a *Attachment, subject v1.Hash, data []byte) {
	st, err := provenance.Parse(data)
	if err != nil {
		a.Kind = KindProvenance
		a.Problem = fmt.Sprintf("provenance %s: %v", a.Artifact, err)
		return
	}
	if provenancePredicates[st.PredicateType] {
		a.Kind = KindProvenance
		a.Summary = fmt.Sprintf("SLSA provenance by %s, subjects: %d", st.BuilderID, len(st.Subjects))
	} else {
		a.Summary = "in-toto " + st.PredicateType
	}
	// Any statement attached here must be about this manifest, whatever it
	// asserts: one about another digest is at best a mistake.
	if !st.Covers(subject.String()) {
		var got []string
		for _, s := range st.Subjects {
			got = append(got, s.Digest)
		}
		a.Problem = fmt.Sprintf("provenance %s is about %s, not this image", a.Artifact, strings.Join(got, ", "))
	}
}
