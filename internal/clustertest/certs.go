package clustertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// pki holds the files the apiserver is started with.
type pki struct {
	certFile, keyFile string
	caPEM             []byte
	saKey, saPub      string
	tokenFile, token  string
}

// writePKI writes a self-signed serving certificate, which clients trust
// as its own CA, a service-account signing key and a token file that makes
// the bearer of token a member of system:masters.
func writePKI(dir string) (pki, error) {
	p := pki{
		certFile: filepath.Join(dir, "apiserver.crt"), keyFile: filepath.Join(dir, "apiserver.key"),
		saKey: filepath.Join(dir, "sa.key"), saPub: filepath.Join(dir, "sa.pub"),
		tokenFile: filepath.Join(dir, "tokens.csv"),
	}
	api, err := hoisttest.NewCA("kube-apiserver", "127.0.0.1", "10.96.0.1",
		"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc")
	if err != nil {
		return p, err
	}
	p.caPEM = api.PEM
	sa, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return p, err
	}
	pub, err := x509.MarshalPKIXPublicKey(&sa.PublicKey)
	if err != nil {
		return p, err
	}
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return p, err
	}
	p.token = hex.EncodeToString(secret)
	apiKey, err := hoisttest.KeyPEM(api.Key)
	if err != nil {
		return p, err
	}
	saKey, err := hoisttest.KeyPEM(sa)
	if err != nil {
		return p, err
	}
	files := map[string][]byte{
		p.certFile: p.caPEM, p.keyFile: apiKey, p.saKey: saKey,
		p.saPub:     pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
		p.tokenFile: []byte(p.token + `,admin,admin,"system:masters"` + "\n"),
	}
	for path, b := range files {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return p, err
		}
	}
	return p, nil
}
