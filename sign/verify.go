package sign

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
)

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
