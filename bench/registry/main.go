package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync/atomic"

	"github.com/distribution/distribution/v3/configuration"
	"github.com/distribution/distribution/v3/registry/handlers"
	_ "github.com/distribution/distribution/v3/registry/storage/driver/filesystem"
	"github.com/sirupsen/logrus"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	root := flag.String("root", "", "storage directory (required)")
	flag.Parse()
	if *root == "" {
		fmt.Fprintln(os.Stderr, "registry: --root is required")
		os.Exit(2)
	}
	cfg := &configuration.Configuration{}
	cfg.Storage = configuration.Storage{
		"filesystem": configuration.Parameters{"rootdirectory": *root},
		"delete":     configuration.Parameters{"enabled": true},
	}
	cfg.Log.Level = "error"
	cfg.Log.AccessLog.Disabled = true
	cfg.HTTP.Secret = "hoist-bench"
	cfg.Catalog.MaxEntries = 1000
	logrus.SetOutput(io.Discard)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "registry:", err)
		os.Exit(1)
	}
	// The chosen address on stdout lets a script start it on port 0.
	fmt.Println(ln.Addr().String())
	if err := http.Serve(ln, countWrites(handlers.NewApp(context.Background(), cfg))); err != nil {
		fmt.Fprintln(os.Stderr, "registry:", err)
		os.Exit(1)
	}
}

// countWrites counts the requests that change the registry (uploads,
// manifest and tag puts, deletes) and serves the count at /_bench/writes,
// so the bench can show that a no-op rebuild uploads and attaches nothing.
func countWrites(next http.Handler) http.Handler {
	var writes atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_bench/writes" {
			fmt.Fprint(w, writes.Load())
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writes.Add(1)
		}
		next.ServeHTTP(w, r)
	})
}
