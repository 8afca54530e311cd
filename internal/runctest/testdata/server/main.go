// Command server is the workload for runctest's own tests: it binds the
// privileged port 80, reports the uid it runs as, and exits 0 on SIGTERM so
// tests can tell a clean stop from a crash.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ln, err := net.Listen("tcp", ":80")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listening:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "hello from uid %d\n", os.Getuid())
	})}
	stopped := make(chan error, 1)
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM)
		<-sig
		stopped <- srv.Shutdown(context.Background())
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "serving:", err)
		os.Exit(1)
	}
	if err := <-stopped; err != nil {
		fmt.Fprintln(os.Stderr, "shutting down:", err)
		os.Exit(1)
	}
}
