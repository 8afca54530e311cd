package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// route is one request to the handler and the answer it must get.
type route struct {
	name, method, target string
	wantStatus           int
	wantBody             string
	wantAllow            string
}

var routes = []route{
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

// afterShutdown are the answers once shutdown has begun: readiness fails,
// but liveness must not, or the process is killed before it drained.
var afterShutdown = []route{
	{"not ready after shutdown", "GET", "/readyz", 503, `{"status":"shutting down"}`, ""},
	{"still live after shutdown", "GET", "/healthz", 200, `{"status":"ok"}`, ""},
	{"still serving after shutdown", "GET", "/items/1", 200, `{"item_id":1,"q":null}`, ""},
}

func TestRoutes(t *testing.T) { checkRoutes(t, routes, false) }

func TestReadinessFlipsOnShutdown(t *testing.T) { checkRoutes(t, afterShutdown, true) }

func checkRoutes(t *testing.T, routes []route, shutdown bool) {
	ready := &readiness{}
	h := newHandler(discardLogger(), ready)
	if shutdown {
		ready.beginShutdown()
	}
	for _, tt := range routes {
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
