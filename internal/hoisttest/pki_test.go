package hoisttest

import (
	"crypto/x509"
	"testing"
)

// TestLeafVerifies: a client trusting only the CA accepts its leaf for each
// host it names, and a CA given hosts serves them itself.
func TestLeafVerifies(t *testing.T) {
	ca, err := NewCA("test CA")
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf("127.0.0.2", "localhost")
	if err != nil {
		t.Fatal(err)
	}
	self, err := NewCA("apiserver", "127.0.0.1", "kubernetes")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		root, cert *Cert
		host       string
	}{{ca, leaf, "127.0.0.2"}, {ca, leaf, "localhost"}, {self, self, "127.0.0.1"}, {self, self, "kubernetes"}} {
		roots := x509.NewCertPool()
		roots.AppendCertsFromPEM(tc.root.PEM)
		if _, err := tc.cert.Cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: tc.host}); err != nil {
			t.Errorf("%s for %s: %v", tc.cert.Cert.Subject.CommonName, tc.host, err)
		}
	}
	if _, err := ca.Leaf(); err == nil {
		t.Error("Leaf without a host succeeded")
	}
}
