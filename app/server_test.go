package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// waitLimit bounds every wait in these tests. It is far above anything the
// tests need so a loaded CI machine cannot make them flaky; it only turns a
// hang into a failure.
const waitLimit = 30 * time.Second

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// notifyListener reports its address once and closes closed when
// http.Server.Shutdown closes it, which is the moment shutdown has
// demonstrably begun.
type notifyListener struct {
	net.Listener
	once   sync.Once
	closed chan struct{}
}

func (l *notifyListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// harness runs run in the background with a /slow route wrapped around the
// production handler. slow decides what that route does; it receives the
// production handler so it can probe other routes from inside the drain.
type harness struct {
	addr     string
	cancel   context.CancelFunc
	runErr   chan error
	closed   chan struct{} // listener closed by Shutdown
	inFlight chan struct{} // /slow has started
}

func startRun(t *testing.T, grace time.Duration, slow func(w http.ResponseWriter, next http.Handler, h *harness)) *harness {
	t.Helper()
	h := &harness{
		runErr:   make(chan error, 1),
		closed:   make(chan struct{}),
		inFlight: make(chan struct{}),
	}
	addrCh := make(chan string, 1)
	var startOnce sync.Once
	cfg := config{
		addr:  "127.0.0.1:0",
		grace: grace,
		wrapListener: func(ln net.Listener) net.Listener {
			addrCh <- ln.Addr().String()
			return &notifyListener{Listener: ln, closed: h.closed}
		},
		wrapHandler: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/slow" {
					next.ServeHTTP(w, r)
					return
				}
				startOnce.Do(func() { close(h.inFlight) })
				slow(w, next, h)
			})
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	t.Cleanup(cancel)
	go func() { h.runErr <- run(ctx, cfg, discardLogger()) }()

	select {
	case h.addr = <-addrCh:
	case err := <-h.runErr:
		t.Fatalf("run returned before listening: %v", err)
	case <-time.After(waitLimit):
		t.Fatal("run did not start listening")
	}
	return h
}

type result struct {
	status int
	body   string
	err    error
}

func get(client *http.Client, url string) result {
	resp, err := client.Get(url)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, body: string(body), err: err}
}

func wait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func TestRunDrainsInFlightRequest(t *testing.T) {
	readyDuringDrain := make(chan int, 1)
	h := startRun(t, waitLimit, func(w http.ResponseWriter, next http.Handler, h *harness) {
		// Finishing only after the listener is closed proves this request
		// was still in flight while Shutdown ran.
		<-h.closed
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		readyDuringDrain <- rec.Code
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, "drained")
	})
	client := &http.Client{Timeout: waitLimit}

	if r := get(client, "http://"+h.addr+"/items/5?q=x"); r.err != nil || r.status != 200 ||
		r.body != `{"item_id":5,"q":"x"}`+"\n" {
		t.Fatalf("before shutdown: got %+v", r)
	}

	slowResult := make(chan result, 1)
	go func() { slowResult <- get(client, "http://"+h.addr+"/slow") }()
	wait(t, h.inFlight, "slow request to start")
	h.cancel()

	if r := wait(t, slowResult, "slow request"); r.err != nil || r.status != 200 || r.body != "drained" {
		t.Errorf("in-flight request: got %+v, want 200 \"drained\"", r)
	}
	if code := wait(t, readyDuringDrain, "readiness probe"); code != http.StatusServiceUnavailable {
		t.Errorf("/readyz during drain = %d, want 503", code)
	}
	if err := wait(t, h.runErr, "run to return"); err != nil {
		t.Errorf("run() = %v, want nil after a clean drain", err)
	}
	if conn, err := net.DialTimeout("tcp", h.addr, waitLimit); err == nil {
		conn.Close()
		t.Error("listener still accepting connections after run returned")
	}
}

func TestRunGraceExceeded(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	// The handler blocks until the test ends, so even a tiny grace period is
	// certain to be exceeded regardless of machine load.
	h := startRun(t, 50*time.Millisecond, func(w http.ResponseWriter, _ http.Handler, _ *harness) {
		<-release
	})
	client := &http.Client{Timeout: waitLimit}

	slowResult := make(chan result, 1)
	go func() { slowResult <- get(client, "http://"+h.addr+"/slow") }()
	wait(t, h.inFlight, "slow request to start")
	h.cancel()

	err := wait(t, h.runErr, "run to return")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("run() = %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if !strings.Contains(err.Error(), "draining connections") {
		t.Errorf("run() = %q, want it to say what it was doing", err)
	}
	// Force-closing must cut the stuck request rather than leave it hanging.
	if r := wait(t, slowResult, "slow request"); r.err == nil {
		t.Errorf("stuck request got %+v, want a connection error", r)
	}
}

func TestRunBindError(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()

	runErr := make(chan error, 1)
	go func() {
		// ctx is never cancelled: a bind error must surface on its own.
		runErr <- run(context.Background(), config{addr: taken.Addr().String(), grace: time.Second}, discardLogger())
	}()
	err = wait(t, runErr, "run to fail")
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("run() = %v, want an error wrapping EADDRINUSE", err)
	}
	if err != nil && !strings.HasPrefix(err.Error(), "listening on "+taken.Addr().String()) {
		t.Errorf("run() = %q, want it to name the address", err)
	}
}

// brokenListener fails every Accept, standing in for a listener that dies
// while serving.
type brokenListener struct{ net.Listener }

var errBroken = errors.New("listener broke")

func (brokenListener) Accept() (net.Conn, error) { return nil, errBroken }

func TestRunServeError(t *testing.T) {
	cfg := config{
		addr:         "127.0.0.1:0",
		grace:        time.Second,
		wrapListener: func(ln net.Listener) net.Listener { return brokenListener{ln} },
	}
	runErr := make(chan error, 1)
	go func() { runErr <- run(context.Background(), cfg, discardLogger()) }()
	if err := wait(t, runErr, "run to fail"); !errors.Is(err, errBroken) {
		t.Errorf("run() = %v, want an error wrapping %v", err, errBroken)
	}
}
