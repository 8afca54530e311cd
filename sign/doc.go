// Package sign signs published images and their SBOM and provenance in the
// format cosign v2 verifies by default, and verifies them. A signature is a
// layer of the image "sha256-<hex>.sig" in the image's repository: the
// simple-signing payload naming the digest, its signature in the
// "dev.cosignproject.cosign/signature" annotation. An attestation is a layer
// of "sha256-<hex>.att": a DSSE envelope around an in-toto statement whose
// subjects include the digest, with a "predicateType" annotation. Tags, not
// the referrers API, carry them, so they work on every registry and any tool
// that copies tags (crane copy, cosign copy) keeps them. What signs is a
// Signer: KeySigner holds a private key (cosign's encrypted key format or a
// plain PEM); a keyless signer, with a Fulcio certificate and a Rekor entry,
// fits the same interface by returning them as layer annotations.
package sign
