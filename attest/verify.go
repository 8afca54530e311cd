package attest

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/provenance"
	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
)

// Report is what Verify found, per manifest: for an index, the index
// first, then each platform image.
type Report struct {
	Ref       name.Digest
	Manifests []ManifestReport
}

// ManifestReport lists one manifest's referrers and what is wrong.
type ManifestReport struct {
	Digest    v1.Hash
	MediaType types.MediaType
	Platform  *v1.Platform
	// Attachments are all referrers, including ones hoist does not know
	// (signatures, scan results), which are listed but not checked.
	Attachments []Attachment
	// Problems are this manifest's failures: missing documents, and each
	// attachment's Problem.
	Problems []string
}

// Attachment is one referrer of a manifest.
type Attachment struct {
	// Kind is "" for artifacts other than SBOMs and provenance.
	Kind         Kind
	ArtifactType string
	// Artifact is the artifact manifest's digest.
	Artifact v1.Hash
	// Summary says what the document is, e.g. "SPDX-2.3, 57 packages".
	Summary string
	Problem string
}

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
	ropts, err := opts.RemoteOptions(ctx, ref.Context().RegistryStr())
	if err != nil {
		return Report{}, err
	}
	desc, err := remote.Get(ref, ropts...)
	if err != nil {
		return Report{}, fmt.Errorf("fetching %s: %w", ref, err)
	}
	repo := ref.Context()
	report := Report{Ref: repo.Digest(desc.Digest.String())}
	top := v1.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size}
	if !desc.MediaType.IsIndex() {
		mr, err := checkManifest(repo, top, nil, true, ropts)
		report.Manifests = append(report.Manifests, mr)
		return report, firstErr(err, report.Err())
	}
	mr, err := checkManifest(repo, top, nil, false, ropts)
	report.Manifests = append(report.Manifests, mr)
	if err != nil {
		return report, err
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return report, fmt.Errorf("reading index %s: %w", report.Ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return report, fmt.Errorf("reading index %s: %w", report.Ref, err)
	}
	for _, child := range im.Manifests {
		// Skip what is not a runnable image, such as buildx's attestation
		// manifests (platform unknown/unknown) in indexes hoist did not make.
		if !child.MediaType.IsImage() || child.Platform == nil || child.Platform.OS == "unknown" {
			continue
		}
		mr, err := checkManifest(repo, child, child.Platform, true, ropts)
		report.Manifests = append(report.Manifests, mr)
		if err != nil {
			return report, err
		}
	}
	return report, report.Err()
}

// checkManifest lists one manifest's referrers and checks each document.
// The error is for a registry that could not be read, not for a failed
// check; those are the report's Problems.
func checkManifest(repo name.Repository, desc v1.Descriptor, platform *v1.Platform, needSBOM bool, ropts []remote.Option) (ManifestReport, error) {
	mr := ManifestReport{Digest: desc.Digest, MediaType: desc.MediaType, Platform: platform}
	refs, err := remote.Referrers(repo.Digest(desc.Digest.String()), ropts...)
	if err != nil {
		return mr, fmt.Errorf("listing referrers of %s: %w", repo.Digest(desc.Digest.String()), err)
	}
	im, err := refs.IndexManifest()
	if err != nil {
		return mr, fmt.Errorf("listing referrers of %s: %w", repo.Digest(desc.Digest.String()), err)
	}
	found := map[Kind]bool{}
	for _, r := range im.Manifests {
		a := checkAttachment(repo, desc.Digest, r, ropts)
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

// Err is the first problem as one line, naming the manifest and how many
// other problems there are; nil when there are none.
func (r Report) Err() error {
	var first string
	n := 0
	for _, m := range r.Manifests {
		for _, p := range m.Problems {
			if n == 0 {
				first = r.Ref.Context().Digest(m.Digest.String()).String() + platformSuffix(m.Platform) + ": " + p
			}
			n++
		}
	}
	switch n {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("verifying %s", first)
	}
	return fmt.Errorf("verifying %s (and %d more problems)", first, n-1)
}

func platformSuffix(p *v1.Platform) string {
	if p == nil {
		return ""
	}
	return " (" + p.String() + ")"
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
