package sign

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
)

// Report is what Verify found of the signatures and attestations of Ref
// and, for an index, of each of its platform images after it.
type Report struct {
	registry.Report[ManifestReport]
}

// ManifestReport counts one manifest's layers that verify with the key and
// name its digest, and lists what is wrong. Layers that do not verify are
// counted apart: a signature by another key is not this key's failure, as
// in cosign, but a manifest with none that verifies is.
type ManifestReport struct {
	registry.Manifest
	Signatures   int
	Unverified   int
	Attestations map[string]int // predicate type → verified attestations
	Problems     []string
}

// Verify checks with pub that ref, and for an index each platform image,
// has a signature and signed attestations in cosign's format that name its
// digest: SLSA provenance for every manifest, and an SBOM (SPDX or
// CycloneDX) for every image. The error is nil only if all are there; it
// is one line naming the first problem.
func Verify(ctx context.Context, ref name.Reference, pub crypto.PublicKey, opts registry.Options) (Report, error) {
	r, err := registry.EachManifest(ctx, ref, opts, func(m registry.Manifest, ropts []remote.Option) (ManifestReport, error) {
		return verifyOne(m, pub, ropts)
	})
	if err == nil {
		err = r.FirstProblem("verifying signatures of")
	}
	return Report{r}, err
}

func verifyOne(t registry.Manifest, pub crypto.PublicKey, ropts []remote.Option) (ManifestReport, error) {
	mr := ManifestReport{Manifest: t, Attestations: map[string]int{}}
	d := digestOf(t.Ref)
	_, sigs, err := readImage(tagFor(t.Ref.Context(), d, sigSuffix), ropts)
	if err != nil {
		return mr, err
	}
	var why string
	for _, l := range sigs {
		if reason := checkSignature(l, t.Ref, pub); reason != "" {
			mr.Unverified++
			why = reason
			continue
		}
		mr.Signatures++
	}
	if mr.Signatures == 0 {
		mr.Problems = append(mr.Problems, missing("signature", len(sigs), why))
	}
	_, atts, err := readImage(tagFor(t.Ref.Context(), d, attSuffix), ropts)
	if err != nil {
		return mr, err
	}
	why = ""
	for _, l := range atts {
		pt, reason := checkAttestation(l, t.Ref, pub)
		if reason != "" {
			mr.Unverified++
			why = reason
			continue
		}
		mr.Attestations[pt]++
	}
	if mr.Attestations[PredicateSLSA1]+mr.Attestations[PredicateSLSA02] == 0 {
		mr.Problems = append(mr.Problems, missing("provenance attestation", len(atts), why))
	}
	if !t.Index && mr.Attestations[PredicateSPDX]+mr.Attestations[PredicateCycloneDX] == 0 {
		mr.Problems = append(mr.Problems, missing("SBOM attestation", len(atts), why))
	}
	return mr, nil
}

func missing(what string, layers int, why string) string {
	if layers == 0 || why == "" {
		return "no " + what
	}
	return fmt.Sprintf("no %s verifies with the key (%d layers, last: %s)", what, layers, why)
}

// checkSignature says why a .sig layer does not sign ref, or "".
func checkSignature(l stored, ref name.Digest, pub crypto.PublicKey) string {
	if l.err != nil {
		return l.err.Error()
	}
	if string(l.mediaType) != SimpleSigningMediaType {
		return fmt.Sprintf("layer %s has media type %s", l.digest, l.mediaType)
	}
	sig, err := base64.StdEncoding.DecodeString(l.annotations[signatureAnnotation])
	if err != nil || len(sig) == 0 {
		return fmt.Sprintf("layer %s has no base64 signature annotation", l.digest)
	}
	if verifySignature(pub, l.payload, sig) != nil {
		return fmt.Sprintf("signature %s does not verify", l.digest)
	}
	var p simpleSigning
	if err := json.Unmarshal(l.payload, &p); err != nil {
		return fmt.Sprintf("signature %s: decoding payload: %v", l.digest, err)
	}
	if got := p.Critical.Image.DockerManifestDigest; got != ref.DigestStr() {
		return fmt.Sprintf("signature %s is for %s", l.digest, got)
	}
	return ""
}

// checkAttestation returns the predicate type of a .att layer that is a
// statement about ref signed by pub, or why it is not.
func checkAttestation(l stored, ref name.Digest, pub crypto.PublicKey) (string, string) {
	if l.err != nil {
		return "", l.err.Error()
	}
	if string(l.mediaType) != DSSEMediaType {
		return "", fmt.Sprintf("layer %s has media type %s", l.digest, l.mediaType)
	}
	st, _, err := openEnvelope(l.payload, pub)
	if err != nil {
		return "", fmt.Sprintf("attestation %s: %v", l.digest, err)
	}
	if !st.covers(digestOf(ref)) {
		return "", fmt.Sprintf("attestation %s (%s) is not about this digest", l.digest, st.PredicateType)
	}
	mediaType := map[string]string{PredicateSPDX: sbom.SPDXMediaType, PredicateCycloneDX: sbom.CycloneDXMediaType}[st.PredicateType]
	if mediaType != "" {
		// The statement binds the SBOM to the digest; one that names
		// another image inside is still a mistake.
		if info, err := sbom.Inspect(mediaType, st.Predicate); err == nil && info.Digest != "" && info.Digest != ref.DigestStr() {
			return "", fmt.Sprintf("attestation %s: the SBOM describes %s", l.digest, info.Digest)
		}
	}
	return st.PredicateType, ""
}

// Err is the first problem as one line, naming the manifest and how many
// other problems there are; nil when there are none.
func (r Report) Err() error { return r.FirstProblem("verifying signatures of") }

// Issues are the Problems.
func (m ManifestReport) Issues() []string { return m.Problems }

// Label is the manifest's digest reference, with "(index)" or the
// platform of an image in an index.
func (m ManifestReport) Label() string {
	switch {
	case m.Index:
		return m.Ref.String() + " (index)"
	case m.Platform != nil:
		return m.Ref.String() + " (" + m.Platform.String() + ")"
	}
	return m.Ref.String()
}

// Write prints the report, one block per manifest.
func (r Report) Write(w io.Writer) error {
	for _, m := range r.Manifests {
		fmt.Fprintln(w, m.Label())
		fmt.Fprintf(w, "  signatures verified: %d", m.Signatures)
		if m.Unverified > 0 {
			fmt.Fprintf(w, " (%d layers not verified by this key)", m.Unverified)
		}
		fmt.Fprintln(w)
		types := make([]string, 0, len(m.Attestations))
		for t := range m.Attestations {
			types = append(types, t)
		}
		sort.Strings(types)
		for _, t := range types {
			fmt.Fprintf(w, "  attestation verified: %s\n", t)
		}
		for _, p := range m.Problems {
			if _, err := fmt.Fprintf(w, "  problem: %s\n", p); err != nil {
				return err
			}
		}
	}
	return nil
}
