package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"
)

// PEM block types of cosign's key files. cosign writes the first and reads
// both; the second is what its versions before 2.0 wrote.
const (
	sigstorePrivateKeyType = "ENCRYPTED SIGSTORE PRIVATE KEY"
	cosignPrivateKeyType   = "ENCRYPTED COSIGN PRIVATE KEY"
	publicKeyType          = "PUBLIC KEY"
)

// ErrWrongPassword is returned when an encrypted key does not decrypt.
var ErrWrongPassword = errors.New("wrong password")

// PasswordFunc returns the password of an encrypted key. It is called only
// when the key is encrypted, so a plain key needs none.
type PasswordFunc func() ([]byte, error)

// GenerateKeyPair makes an ECDSA P-256 key pair as `cosign generate-key-pair`
// does: the private key in PKCS #8, encrypted with password (scrypt and
// NaCl secretbox, go-securesystemslib's format), under the PEM type
// "ENCRYPTED SIGSTORE PRIVATE KEY"; the public key as a PKIX "PUBLIC KEY".
// An empty password is allowed, as in cosign.
func GenerateKeyPair(password []byte) (privatePEM, publicPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("generating key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding private key: %w", err)
	}
	sealed, err := encrypted.Encrypt(der, password)
	if err != nil {
		return nil, nil, fmt.Errorf("encrypting private key: %w", err)
	}
	publicPEM, err = MarshalPublicKey(key.Public())
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: sigstorePrivateKeyType, Bytes: sealed}), publicPEM, nil
}

// MarshalPublicKey encodes a public key as cosign.pub does.
func MarshalPublicKey(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: publicKeyType, Bytes: der}), nil
}

// ParsePrivateKey reads a private key: cosign's encrypted key (asking
// password for the password), or a plain PKCS #8, SEC 1 (EC) or PKCS #1
// (RSA) PEM block. The key must be one that Signer supports.
func ParsePrivateKey(data []byte, password PasswordFunc) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var key any
	var err error
	switch block.Type {
	case sigstorePrivateKeyType, cosignPrivateKeyType:
		key, err = decrypt(block.Bytes, password)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key cosign or hoist reads", block.Type)
	}
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%T keys cannot sign", key)
	}
	if _, err := hashFor(signer.Public()); err != nil {
		return nil, err
	}
	return signer, nil
}

func decrypt(sealed []byte, password PasswordFunc) (any, error) {
	pw, err := password()
	if err != nil {
		return nil, err
	}
	der, err := encrypted.Decrypt(sealed, pw)
	if err != nil {
		return nil, ErrWrongPassword
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("decoding the decrypted key: %w", err)
	}
	return key, nil
}

// ParsePublicKey reads a PKIX public key PEM, as in cosign.pub. A
// certificate is not accepted: verifying against one is keyless
// verification, which needs its chain and identity checked too.
func ParsePublicKey(data []byte) (crypto.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if block.Type != publicKeyType {
		return nil, fmt.Errorf("PEM block %q is not a %q", block.Type, publicKeyType)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("decoding public key: %w", err)
	}
	if _, err := hashFor(pub); err != nil {
		return nil, err
	}
	return pub, nil
}
