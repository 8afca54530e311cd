package sign

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"
)

// Media types and annotations of cosign's signature and attestation layers.
const (
	SimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	DSSEMediaType          = "application/vnd.dsse.envelope.v1+json"
	// InTotoPayloadType is the DSSE payload type of an in-toto statement.
	InTotoPayloadType = "application/vnd.in-toto+json"

	signatureAnnotation     = "dev.cosignproject.cosign/signature"
	predicateTypeAnnotation = "predicateType"
	simpleSigningType       = "cosign container image signature"
)

// Predicate types cosign's `verify-attestation --type` maps its names to:
// spdxjson, cyclonedx, slsaprovenance1 (slsaprovenance is SLSA v0.2).
const (
	PredicateSPDX      = "https://spdx.dev/Document"
	PredicateCycloneDX = "https://cyclonedx.org/bom"
	PredicateSLSA1     = "https://slsa.dev/provenance/v1"
	PredicateSLSA02    = "https://slsa.dev/provenance/v0.2"
	statementType      = "https://in-toto.io/Statement/v1"
)

// simpleSigning is the payload `cosign sign` signs (sigstore's
// payload.SimpleContainerImage): the digest is what a verifier checks.
type simpleSigning struct {
	Critical struct {
		Identity struct {
			DockerReference string `json:"docker-reference"`
		} `json:"identity"`
		Image struct {
			DockerManifestDigest string `json:"docker-manifest-digest"`
		} `json:"image"`
		Type string `json:"type"`
	} `json:"critical"`
	Optional map[string]any `json:"optional"`
}

func simpleSigningPayload(ref name.Digest) ([]byte, error) {
	var p simpleSigning
	p.Critical.Identity.DockerReference = ref.Context().Name()
	p.Critical.Image.DockerManifestDigest = ref.DigestStr()
	p.Critical.Type = simpleSigningType
	return json.Marshal(p)
}

// Subject is one artifact an in-toto statement is about.
type Subject struct {
	Name   string
	Digest v1.Hash
}

// Statement wraps a predicate (an SBOM document, say) in an in-toto v1
// statement about subjects, as `cosign attest --type` does.
func Statement(predicateType string, predicate []byte, subjects ...Subject) ([]byte, error) {
	type resource struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	}
	st := struct {
		Type          string          `json:"_type"`
		Subject       []resource      `json:"subject"`
		PredicateType string          `json:"predicateType"`
		Predicate     json.RawMessage `json:"predicate"`
	}{Type: statementType, PredicateType: predicateType, Predicate: predicate}
	for _, s := range subjects {
		st.Subject = append(st.Subject, resource{Name: s.Name, Digest: map[string]string{s.Digest.Algorithm: s.Digest.Hex}})
	}
	out, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encoding %s statement: %w", predicateType, err)
	}
	return out, nil
}

// statementHeader is what verification reads of a statement.
type statementHeader struct {
	PredicateType string `json:"predicateType"`
	Subject       []struct {
		Name   string            `json:"name"`
		Digest map[string]string `json:"digest"`
	} `json:"subject"`
	Predicate json.RawMessage `json:"predicate"`
}

func (st statementHeader) covers(d v1.Hash) bool {
	for _, s := range st.Subject {
		if s.Digest[d.Algorithm] == d.Hex {
			return true
		}
	}
	return false
}

// envelope signs statement into a DSSE envelope, as `cosign attest` does.
func envelope(ctx context.Context, s Signer, statement []byte) ([]byte, error) {
	sig, err := s.Sign(ctx, dsse.PAE(InTotoPayloadType, statement))
	if err != nil {
		return nil, err
	}
	return json.Marshal(dsse.Envelope{
		PayloadType: InTotoPayloadType,
		Payload:     base64.StdEncoding.EncodeToString(statement),
		Signatures:  []dsse.Signature{{Sig: base64.StdEncoding.EncodeToString(sig)}},
	})
}

// openEnvelope checks an envelope's signature with pub and returns its
// statement.
func openEnvelope(data []byte, pub any) (statementHeader, []byte, error) {
	var env dsse.Envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return statementHeader{}, nil, fmt.Errorf("decoding DSSE envelope: %w", err)
	}
	if env.PayloadType != InTotoPayloadType {
		return statementHeader{}, nil, fmt.Errorf("DSSE payload type %q, want %s", env.PayloadType, InTotoPayloadType)
	}
	body, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return statementHeader{}, nil, fmt.Errorf("decoding DSSE payload: %w", err)
	}
	pae := dsse.PAE(env.PayloadType, body)
	verified := false
	for _, s := range env.Signatures {
		sig, err := base64.StdEncoding.DecodeString(s.Sig)
		if err == nil && verifySignature(pub, pae, sig) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return statementHeader{}, nil, errBadSignature
	}
	var st statementHeader
	if err := json.Unmarshal(body, &st); err != nil {
		return statementHeader{}, nil, fmt.Errorf("decoding in-toto statement: %w", err)
	}
	return st, body, nil
}
