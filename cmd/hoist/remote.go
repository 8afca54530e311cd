package main

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/hoist-build/hoist/registry"
)

// remoteSettings say how registries are reached: the remote group, and the
// insecure keys of .hoist.yaml as far as a repository may set them.
type remoteSettings struct {
	insecure           bool
	insecureRegistries []string
	caCert             []byte
	// timeout and retries: 0 means none, as on the command line.
	timeout time.Duration
	retries int
}

func (s *settings) loadRemote(r reader) error {
	rs := &s.remote
	rs.timeout, rs.retries = r.v.GetDuration("timeout"), r.v.GetInt("retries")
	var err error
	if rs.caCert, err = readCACert(r.v.GetString("ca-cert")); err != nil {
		return err
	}
	return s.applyTransport(r)
}

// registryOptions is the one mapping of the remote settings onto the
// registry client's options, where 0 means none too.
func (rs remoteSettings) registryOptions(log *slog.Logger) registry.Options {
	return registry.Options{
		Insecure: rs.insecure, InsecureRegistries: rs.insecureRegistries, CACertPEM: rs.caCert,
		Timeout: rs.timeout, Retries: rs.retries, Logger: log,
	}
}

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
