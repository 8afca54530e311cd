package sign

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
)

func password(pw string) PasswordFunc {
	return func() ([]byte, error) { return []byte(pw), nil }
}

func TestGenerateKeyPairRoundTrip(t *testing.T) {
	priv, pub, err := GenerateKeyPair([]byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := pem.Decode(priv); b == nil || b.Type != "ENCRYPTED SIGSTORE PRIVATE KEY" {
		t.Fatalf("private key PEM = %q, want an ENCRYPTED SIGSTORE PRIVATE KEY block", priv)
	}
	if _, err := ParsePrivateKey(priv, password("wrong")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: err = %v, want ErrWrongPassword", err)
	}
	key, err := ParsePrivateKey(priv, password("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	pk, err := ParsePublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if !key.Public().(*ecdsa.PublicKey).Equal(pk) {
		t.Fatal("the public key file does not hold the private key's public half")
	}
}

func TestSignVerifyKeyTypes(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	for _, tc := range []struct {
		name string
		key  crypto.Signer
	}{{"ecdsa-p256", p256}, {"ecdsa-p384", p384}, {"rsa-2048", rsaKey}, {"ed25519", edKey}} {
		t.Run(tc.name, func(t *testing.T) {
			// Through the plain PKCS #8 PEM path, as a user's own key comes.
			der, err := x509.MarshalPKCS8PrivateKey(tc.key)
			if err != nil {
				t.Fatal(err)
			}
			key, err := ParsePrivateKey(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := NewKeySigner(key)
			if err != nil {
				t.Fatal(err)
			}
			sig, err := s.Sign(context.Background(), []byte("payload"))
			if err != nil {
				t.Fatal(err)
			}
			if err := verifySignature(tc.key.Public(), []byte("payload"), sig); err != nil {
				t.Fatalf("own signature: %v", err)
			}
			if err := verifySignature(tc.key.Public(), []byte("payloaD"), sig); err == nil {
				t.Fatal("a signature verified over other data")
			}
		})
	}
}

func TestParseKeyRefusals(t *testing.T) {
	weak, _ := rsa.GenerateKey(rand.Reader, 1024)
	weakDER := x509.MarshalPKCS1PrivateKey(weak)
	_, pub, _ := GenerateKeyPair(nil)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"not PEM", []byte("hello")},
		{"public key given as private", pub},
		{"weak RSA", pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: weakDER})},
		{"certificate", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParsePrivateKey(tc.data, password("")); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	if _, err := ParsePublicKey(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte{1}})); err == nil {
		t.Fatal("a certificate was accepted as a public key")
	}
}
