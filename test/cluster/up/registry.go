package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/inmemory" // registers the inmemory driver
	"github.com/sirupsen/logrus"

	"github.com/hoist-build/hoist/internal/clustertest"
)

// startRegistry serves the Distribution registry from memory on addr, as
// internal/registrytest does for tests, and returns its host:port.
func startRegistry(s *clustertest.Stack, addr string) (string, error) {
	cfg := &configuration.Configuration{}
	cfg.Storage = configuration.Storage{"inmemory": configuration.Parameters{}, "delete": configuration.Parameters{"enabled": true}}
	cfg.Log.Level = "error"
	cfg.Log.AccessLog.Disabled = true
	cfg.HTTP.Secret = "hoist-cluster"
	logrus.SetOutput(io.Discard)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("starting the registry: %w", err)
	}
	srv := &http.Server{Handler: handlers.NewApp(context.Background(), cfg)}
	go srv.Serve(ln)
	s.Defer(func() { srv.Close() })
	return ln.Addr().String(), nil
}
