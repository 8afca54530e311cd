package hostile

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Behavior is one way of misbehaving.
type Behavior string

// The behaviors. Each applies to the requests named; all others pass
// through to the real registry.
const (
	// Drip sends manifest bodies one byte every DripEvery.
	Drip Behavior = "drip"
	// DripBlob sends blob bodies one byte every DripEvery.
	DripBlob Behavior = "drip-blob"
	// Stall sends manifest headers, then nothing.
	Stall Behavior = "stall"
	// HugeManifest claims a 6 GiB manifest (Content-Length) and streams.
	HugeManifest Behavior = "huge-manifest"
	// EndlessManifest streams a manifest without Content-Length, forever.
	EndlessManifest Behavior = "endless-manifest"
	// HugeConfig serves the real manifest with the config's size raised to
	// 6 GiB, and that config as 6 GiB of zeros.
	HugeConfig Behavior = "huge-config"
	// LyingDigest flips a byte of every blob it serves.
	LyingDigest Behavior = "lying-digest"
	// NoDigest drops Docker-Content-Digest from manifest responses.
	NoDigest Behavior = "no-digest"
	// RedirectLoop redirects manifest and blob GETs to themselves.
	RedirectLoop Behavior = "redirect-loop"
	// RetryAfter answers every request 503 with Retry-After: 3600.
	RetryAfter Behavior = "retry-after"
	// MalformedJSON serves manifests cut off in the middle.
	MalformedJSON Behavior = "malformed-json"
)

// All is every behavior, for table tests.
var All = []Behavior{Drip, DripBlob, Stall, HugeManifest, EndlessManifest, HugeConfig, LyingDigest, NoDigest, RedirectLoop, RetryAfter, MalformedJSON}

const sixGiB = 6 << 30

// Server is a running hostile registry.
type Server struct {
	// Host is its host:port on 127.0.0.1.
	Host string
	// DripEvery is the pause between dripped bytes (2s if zero).
	DripEvery time.Duration

	b        Behavior
	upstream string
	proxy    *httputil.ReverseProxy
	mu       sync.Mutex
	config   string // the config digest HugeConfig inflated
}

// New starts a server misbehaving as b in front of the plain-http registry
// at upstream; it stops when the test ends.
func New(t testing.TB, upstream string, b Behavior) *Server {
	t.Helper()
	target := &url.URL{Scheme: "http", Host: upstream}
	s := &Server{b: b, upstream: upstream, proxy: &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host
		},
		ModifyResponse: func(resp *http.Response) error {
			if b == NoDigest && isManifest(resp.Request.URL.Path) {
				resp.Header.Del("Docker-Content-Digest")
			}
			return nil
		},
		ErrorLog: log.New(io.Discard, "", 0),
	}}
	srv := httptest.NewUnstartedServer(s)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(srv.Close)
	s.Host = strings.TrimPrefix(srv.URL, "http://")
	return s
}

func isManifest(p string) bool { return strings.Contains(p, "/manifests/") }
func isBlob(p string) bool     { return strings.Contains(p, "/blobs/sha256:") }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	get := r.Method == http.MethodGet
	switch {
	case s.b == RetryAfter:
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "come back in an hour", http.StatusServiceUnavailable)
	case s.b == RedirectLoop && get && (isManifest(r.URL.Path) || isBlob(r.URL.Path)):
		http.Redirect(w, r, r.URL.Path, http.StatusTemporaryRedirect)
	case get && isManifest(r.URL.Path) && s.manifestBehavior():
		s.serveManifest(w, r)
	case get && isBlob(r.URL.Path) && (s.b == DripBlob || s.b == LyingDigest || s.b == HugeConfig):
		s.serveBlob(w, r)
	default:
		s.proxy.ServeHTTP(w, r)
	}
}

func (s *Server) manifestBehavior() bool {
	switch s.b {
	case Drip, Stall, HugeManifest, EndlessManifest, HugeConfig, MalformedJSON:
		return true
	}
	return false
}

func (s *Server) serveManifest(w http.ResponseWriter, r *http.Request) {
	body, hdr, code := s.fetch(r)
	if code != http.StatusOK {
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Type", hdr.Get("Content-Type"))
	switch s.b {
	case Drip:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		s.drip(w, r, body)
	case Stall:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	case HugeManifest:
		w.Header().Set("Content-Length", strconv.Itoa(sixGiB))
		endless(w, r, sixGiB)
	case EndlessManifest:
		endless(w, r, -1)
	case HugeConfig:
		var m map[string]any
		if json.Unmarshal(body, &m) != nil {
			http.Error(w, "not a manifest", http.StatusInternalServerError)
			return
		}
		cfg, _ := m["config"].(map[string]any)
		s.mu.Lock()
		s.config, _ = cfg["digest"].(string)
		s.mu.Unlock()
		cfg["size"] = sixGiB
		out, _ := json.Marshal(m)
		_, _ = w.Write(out)
	case MalformedJSON:
		_, _ = w.Write(body[:len(body)/2])
	}
}

func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	inflated := s.b == HugeConfig && strings.HasSuffix(r.URL.Path, s.config)
	s.mu.Unlock()
	if s.b == HugeConfig && !inflated {
		s.proxy.ServeHTTP(w, r)
		return
	}
	if inflated {
		w.Header().Set("Content-Length", strconv.Itoa(sixGiB))
		endless(w, r, sixGiB)
		return
	}
	body, _, code := s.fetch(r)
	if code != http.StatusOK {
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if s.b == DripBlob {
		s.drip(w, r, body)
		return
	}
	body[len(body)/2] ^= 0xff
	_, _ = w.Write(body)
}

// fetch gets the real answer from the upstream registry.
func (s *Server) fetch(r *http.Request) ([]byte, http.Header, int) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+s.upstream+r.URL.RequestURI(), nil)
	if err != nil {
		return nil, nil, http.StatusInternalServerError
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, nil, http.StatusBadGateway
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, http.StatusBadGateway
	}
	return body, resp.Header, resp.StatusCode
}

func (s *Server) drip(w http.ResponseWriter, r *http.Request, body []byte) {
	every := s.DripEvery
	if every == 0 {
		every = 2 * time.Second
	}
	w.WriteHeader(http.StatusOK)
	for i := range body {
		if _, err := w.Write(body[i : i+1]); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		select {
		case <-time.After(every):
		case <-r.Context().Done():
			return
		}
	}
}

// endless streams n bytes (forever if n < 0) of JSON-ish filler as fast as
// the client reads.
func endless(w http.ResponseWriter, r *http.Request, n int64) {
	w.WriteHeader(http.StatusOK)
	chunk := bytes.Repeat([]byte(" "), 64<<10)
	for sent := int64(0); n < 0 || sent < n; sent += int64(len(chunk)) {
		if r.Context().Err() != nil {
			return
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}
