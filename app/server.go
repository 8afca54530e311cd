package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

const (
	defaultPort  = "80"
	defaultGrace = 10 * time.Second
)

// config holds everything run needs, already parsed, so tests never touch the
// process environment.
type config struct {
	addr  string
	grace time.Duration

	// Test seams, nil in production. They let tests observe the drain
	// deterministically (learn the bound port, see the listener close, hold a
	// request in flight) without adding a slow route to the real mux.
	wrapListener func(net.Listener) net.Listener
	wrapHandler  func(http.Handler) http.Handler
}

// newConfig turns the raw PORT and SHUTDOWN_GRACE values into a config; empty
// strings mean "use the default".
func newConfig(port, grace string) (config, error) {
	cfg := config{addr: ":" + defaultPort, grace: defaultGrace}
	if port != "" {
		// Rejecting non-numeric ports here gives a clearer error than the
		// service-name lookup net.Listen would otherwise attempt.
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return config{}, fmt.Errorf("parsing PORT %q: want a number from 1 to 65535", port)
		}
		cfg.addr = ":" + port
	}
	if grace != "" {
		d, err := time.ParseDuration(grace)
		if err != nil {
			return config{}, fmt.Errorf("parsing SHUTDOWN_GRACE: %w", err)
		}
		if d <= 0 {
			return config{}, fmt.Errorf("parsing SHUTDOWN_GRACE %q: must be positive", grace)
		}
		cfg.grace = d
	}
	return cfg, nil
}

// readiness is flipped once, when shutdown begins, so the orchestrator stops
// routing new traffic here while in-flight requests drain. The zero value is
// ready.
type readiness struct {
	shuttingDown atomic.Bool
}

func (r *readiness) ready() bool    { return !r.shuttingDown.Load() }
func (r *readiness) beginShutdown() { r.shuttingDown.Store(true) }

// run serves until ctx is cancelled, then drains within cfg.grace. It returns
// nil only after a clean drain, so main can map any error to exit status 1.
func run(ctx context.Context, cfg config, logger *slog.Logger) error {
	// Binding before anything else makes a bad port or a missing privilege
	// fail here, synchronously, rather than inside a goroutine.
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", cfg.addr, err)
	}
	if cfg.wrapListener != nil {
		ln = cfg.wrapListener(ln)
	}

	ready := &readiness{}
	handler := newHandler(logger, ready)
	if cfg.wrapHandler != nil {
		handler = cfg.wrapHandler(handler)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       60 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelError),
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	logger.Info("listening", "addr", ln.Addr().String())

	select {
	case err := <-serveErr:
		// Serve never returns nil; reaching here means the listener broke
		// before any shutdown was requested.
		return fmt.Errorf("serving on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	return shutdown(srv, ready, cfg.grace, logger)
}

func shutdown(srv *http.Server, ready *readiness, grace time.Duration, logger *slog.Logger) error {
	ready.beginShutdown()
	logger.Info("shutting down", "grace", grace.String())

	// The parent context is already cancelled, so the grace period needs a
	// fresh one.
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		logger.Error("grace period exceeded, closing connections", "err", err)
		if cerr := srv.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
		return fmt.Errorf("draining connections: %w", err)
	}
	logger.Info("shutdown complete")
	return nil
}

// newHandler builds the production routes wrapped in JSON error pages and
// request logging.
func newHandler(logger *slog.Logger, ready *readiness) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"Hello": "World"})
	})
	mux.HandleFunc("GET /items/{item_id}", handleItem)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		// Liveness stays 200 while draining: failing it would get the
		// process killed before in-flight requests finish.
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if !ready.ready() {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "shutting down"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	return logRequests(logger, jsonErrors(mux))
}

type item struct {
	ItemID int64   `json:"item_id"`
	Q      *string `json:"q"` // pointer so an absent q encodes as null, not ""
}

type validationError struct {
	Loc   []string `json:"loc"`
	Msg   string   `json:"msg"`
	Input string   `json:"input"`
}

func handleItem(w http.ResponseWriter, r *http.Request) {
	raw := r.PathValue("item_id")
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		// Mirrors FastAPI's 422 shape so clients of the Python original
		// keep working.
		writeJSON(w, http.StatusUnprocessableEntity, map[string][]validationError{
			"detail": {{Loc: []string{"path", "item_id"}, Msg: "value is not a valid integer", Input: raw}},
		})
		return
	}
	resp := item{ItemID: id}
	if query := r.URL.Query(); query.Has("q") {
		q := query.Get("q")
		resp.Q = &q
	}
	writeJSON(w, http.StatusOK, resp)
}

// jsonErrors replaces ServeMux's text/plain 404 and 405 pages with JSON. A
// catch-all "/" route cannot do this, because it would also swallow requests
// that should get a 405.
func jsonErrors(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fallback, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// An empty pattern means the mux would answer 404 or 405 itself; run
		// its answer into a capture to learn the status and Allow header.
		capture := &statusCapture{header: make(http.Header)}
		fallback.ServeHTTP(capture, r)
		if allow := capture.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		status := capture.status
		if status == 0 {
			status = http.StatusNotFound
		}
		writeJSON(w, status, map[string]string{"detail": http.StatusText(status)})
	})
}

// statusCapture records what a handler tried to send and discards the body.
type statusCapture struct {
	header http.Header
	status int
}

func (c *statusCapture) Header() http.Header { return c.header }

func (c *statusCapture) Write(b []byte) (int, error) {
	c.WriteHeader(http.StatusOK)
	return len(b), nil
}

func (c *statusCapture) WriteHeader(status int) {
	if c.status == 0 {
		c.status = status
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	// The status line is already sent, so an encoding or write error (in
	// practice a gone client) has nowhere useful to go.
	_ = json.NewEncoder(w).Encode(v)
}

func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK // handler wrote nothing: net/http sends 200
		}
		logger.Info("request",
			"method", r.Method,
			"path", r.URL.Path,
			"status", rec.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000,
		)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer for flushing and
// deadlines.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
