package sign

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
)

// Signer signs for one identity. Sign signs the bytes a verifier checks:
// the simple-signing payload of a signature, the DSSE pre-authentication
// encoding of an attestation. Annotations adds what a verifier needs
// besides the signature to trust it, once the layer is complete: nothing
// for a key, whose public half the verifier holds; for keyless signing, the
// Fulcio certificate and chain ("dev.sigstore.cosign/certificate",
// ".../chain") and the Rekor bundle ("dev.sigstore.cosign/bundle") of an
// entry made for exactly this layer. Public verifies Sign's signatures; it
// lets a rerun skip a signature that is already attached.
type Signer interface {
	Sign(ctx context.Context, data []byte) ([]byte, error)
	Public() crypto.PublicKey
	Annotations(ctx context.Context, l Layer) (map[string]string, error)
}

// Layer is one signed layer: a signature or an attestation.
type Layer struct {
	// MediaType is SimpleSigningMediaType or DSSEMediaType.
	MediaType string
	// Payload is the layer's content: the simple-signing payload, or the
	// DSSE envelope (which holds its own signature).
	Payload []byte
	// Signature is the base64 signature of a simple-signing payload; ""
	// for an attestation, as cosign writes it.
	Signature string
}

// KeySigner signs with a private key, as `cosign sign --key` does: ECDSA
// with the hash its curve calls for (SHA-256 for P-256), RSA PKCS #1 v1.5
// with SHA-256, Ed25519ph.
type KeySigner struct {
	key crypto.Signer
}

// NewKeySigner wraps a key from ParsePrivateKey.
func NewKeySigner(key crypto.Signer) (*KeySigner, error) {
	if _, err := hashFor(key.Public()); err != nil {
		return nil, err
	}
	return &KeySigner{key: key}, nil
}

func (s *KeySigner) Public() crypto.PublicKey { return s.key.Public() }

func (s *KeySigner) Annotations(context.Context, Layer) (map[string]string, error) { return nil, nil }

func (s *KeySigner) Sign(_ context.Context, data []byte) ([]byte, error) {
	h, err := hashFor(s.key.Public())
	if err != nil {
		return nil, err
	}
	hh := h.New()
	hh.Write(data)
	digest := hh.Sum(nil)
	var opts crypto.SignerOpts = h
	if _, ok := s.key.Public().(ed25519.PublicKey); ok {
		opts = &ed25519.Options{Hash: crypto.SHA512}
	}
	sig, err := s.key.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return sig, nil
}

// hashFor is the digest sigstore's default algorithm for the key uses.
func hashFor(pub crypto.PublicKey) (crypto.Hash, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return crypto.SHA256, nil
		case elliptic.P384():
			return crypto.SHA384, nil
		case elliptic.P521():
			return crypto.SHA512, nil
		}
		return 0, fmt.Errorf("ECDSA curve %s is not supported: use P-256, P-384 or P-521", k.Curve.Params().Name)
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return 0, fmt.Errorf("RSA keys of %d bits are too weak: use 2048 or more", k.N.BitLen())
		}
		return crypto.SHA256, nil
	case ed25519.PublicKey:
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("%T keys are not supported: use ECDSA, RSA or Ed25519", pub)
}

var errBadSignature = errors.New("signature does not verify")

// verifySignature checks sig over data with pub, the way hashFor and
// KeySigner.Sign produce it.
func verifySignature(pub crypto.PublicKey, data, sig []byte) error {
	h, err := hashFor(pub)
	if err != nil {
		return err
	}
	hh := h.New()
	hh.Write(data)
	digest := hh.Sum(nil)
	ok := false
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		ok = ecdsa.VerifyASN1(k, digest, sig)
	case *rsa.PublicKey:
		ok = rsa.VerifyPKCS1v15(k, h, digest, sig) == nil
	case ed25519.PublicKey:
		ok = ed25519.VerifyWithOptions(k, digest, sig, &ed25519.Options{Hash: crypto.SHA512}) == nil
	}
	if !ok {
		return errBadSignature
	}
	return nil
}
