package main

import (
	"crypto/x509"
	"fmt"
	"os"

	"github.com/spf13/pflag"
)

// readCACert loads --ca-cert; an empty path trusts the system's CAs alone.
func readCACert(path string) ([]byte, error) {
	if path == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading --ca-cert: %w", err)
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("reading --ca-cert %s: no PEM certificate in it", path)
	}
	return pem, nil
}

// addRemoteFlags adds the connection flags that commands other than build
// share with it.
func addRemoteFlags(f *pflag.FlagSet) {
	addInsecureFlags(f)
	f.String("ca-cert", "", "PEM file of CA certificates to trust for the registry, besides the system's")
}

// addInsecureFlags adds the transport policy flags (see applyTransport).
func addInsecureFlags(f *pflag.FlagSet) {
	f.Bool("insecure", false, "treat every registry as an --insecure-registry")
	f.StringArray("insecure-registry", nil, "registry HOST[:PORT] that may use plain http and unverified TLS (repeatable); credentials go over plain http to loopback only")
}
