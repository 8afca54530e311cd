package main

import (
	"bytes"
	"context"
	"encoding/json"
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

func TestRoutes(t *testing.T) {
	tests := []struct {
		name, method, target string
		wantStatus           int
		wantBody             string
		wantAllow            string
	}{
		{"root", "GET", "/", 200, `{"Hello":"World"}`, ""},
		{"item with q", "GET", "/items/5?q=x", 200, `{"item_id":5,"q":"x"}`, ""},
		{"item without q", "GET", "/items/5", 200, `{"item_id":5,"q":null}`, ""},
		{"item with empty q", "GET", "/items/5?q=", 200, `{"item_id":5,"q":""}`, ""},
		{"negative item", "GET", "/items/-3?q=a%20b", 200, `{"item_id":-3,"q":"a b"}`, ""},
		{"non-integer item", "GET", "/items/abc", 422,
			`{"detail":[{"loc":["path","item_id"],"msg":"value is not a valid integer","input":"abc"}]}`, ""},
		{"float item", "GET", "/items/1.5", 422,
			`{"detail":[{"loc":["path","item_id"],"msg":"value is not a valid integer","input":"1.5"}]}`, ""},
		{"overflowing item", "GET", "/items/99999999999999999999", 422,
			`{"detail":[{"loc":["path","item_id"],"msg":"value is not a valid integer","input":"99999999999999999999"}]}`, ""},
		{"healthz", "GET", "/healthz", 200, `{"status":"ok"}`, ""},
		{"readyz", "GET", "/readyz", 200, `{"status":"ready"}`, ""},
		{"unknown path", "GET", "/nope", 404, `{"detail":"Not Found"}`, ""},
		{"items without id", "GET", "/items/", 404, `{"detail":"Not Found"}`, ""},
		{"nested under item", "GET", "/items/5/extra", 404, `{"detail":"Not Found"}`, ""},
		{"post root", "POST", "/", 405, `{"detail":"Method Not Allowed"}`, "GET, HEAD"},
		{"delete item", "DELETE", "/items/5", 405, `{"detail":"Method Not Allowed"}`, "GET, HEAD"},
		{"put healthz", "PUT", "/healthz", 405, `{"detail":"Method Not Allowed"}`, "GET, HEAD"},
	}
	h := newHandler(discardLogger(), &readiness{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.target, nil))

			if rec.Code != tt.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Body.String(); got != tt.wantBody+"\n" {
				t.Errorf("body = %q, want %q", got, tt.wantBody+"\n")
			}
			if got := rec.Header().Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			if got := rec.Header().Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
		})
	}
}

func TestReadinessFlipsOnShutdown(t *testing.T) {
	tests := []struct {
		name       string
		shutdown   bool
		target     string
		wantStatus int
		wantBody   string
	}{
		{"ready before shutdown", false, "/readyz", 200, `{"status":"ready"}`},
		{"not ready after shutdown", true, "/readyz", 503, `{"status":"shutting down"}`},
		// Liveness must not fail while draining or the process is killed early.
		{"still live after shutdown", true, "/healthz", 200, `{"status":"ok"}`},
		{"still serving after shutdown", true, "/items/1", 200, `{"item_id":1,"q":null}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ready := &readiness{}
			h := newHandler(discardLogger(), ready)
			if tt.shutdown {
				ready.beginShutdown()
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tt.target, nil))
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody+"\n" {
				t.Errorf("got %d %q, want %d %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody+"\n")
			}
		})
	}
}

func TestRequestLogging(t *testing.T) {
	tests := []struct {
		method, target, wantPath string
		wantStatus               int
	}{
		{"GET", "/items/7?q=secret", "/items/7", 200},
		{"GET", "/items/x", "/items/x", 422},
		{"GET", "/missing", "/missing", 404},
		{"POST", "/", "/", 405},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			var buf bytes.Buffer
			h := newHandler(slog.New(slog.NewJSONHandler(&buf, nil)), &readiness{})
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(tt.method, tt.target, nil))

			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			if len(lines) != 1 {
				t.Fatalf("got %d log lines, want 1: %q", len(lines), buf.String())
			}
			var entry struct {
				Msg, Method, Path string
				Status            int
				DurationMS        *float64 `json:"duration_ms"`
			}
			if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
				t.Fatalf("log line is not JSON: %v: %q", err, lines[0])
			}
			if entry.Msg != "request" || entry.Method != tt.method || entry.Path != tt.wantPath ||
				entry.Status != tt.wantStatus || entry.DurationMS == nil {
				t.Errorf("log entry = %s, want method %s path %s status %d with duration_ms",
					lines[0], tt.method, tt.wantPath, tt.wantStatus)
			}
		})
	}
}

func TestNewConfig(t *testing.T) {
	tests := []struct {
		name, port, grace string
		wantAddr          string
		wantGrace         time.Duration
		wantErr           bool
	}{
		{"defaults", "", "", ":80", 10 * time.Second, false},
		{"port override", "8089", "", ":8089", 10 * time.Second, false},
		{"grace override", "", "2m30s", ":80", 150 * time.Second, false},
		{"non-numeric port", "http", "", "", 0, true},
		{"port out of range", "70000", "", "", 0, true},
		{"port zero", "0", "", "", 0, true},
		{"grace without unit", "", "10", "", 0, true},
		{"zero grace", "", "0s", "", 0, true},
		{"negative grace", "", "-1s", "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := newConfig(tt.port, tt.grace)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("newConfig(%q, %q) = %+v, want error", tt.port, tt.grace, cfg)
				}
				return
			}
			if err != nil {
				t.Fatalf("newConfig(%q, %q): %v", tt.port, tt.grace, err)
			}
			if cfg.addr != tt.wantAddr || cfg.grace != tt.wantGrace {
				t.Errorf("got addr %q grace %v, want %q %v", cfg.addr, cfg.grace, tt.wantAddr, tt.wantGrace)
			}
		})
	}
}

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
