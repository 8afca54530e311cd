package faultproxy

import (
	"fmt"
	"io"
	"log"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Kind is one way of failing a request.
type Kind string

// The faults the proxy can inject. The status faults and Reset apply to any
// request; the behaviors of a hostile registry (hostile.go) only to the
// requests they name, and the others pass through to the real registry.
const (
	Status500           Kind = "500"
	Status502           Kind = "502"
	Status503           Kind = "503"
	Status503RetryAfter Kind = "503+Retry-After"
	Status429RetryAfter Kind = "429+Retry-After"
	// Reset hijacks the connection and closes it with SO_LINGER 0, so the
	// client sees a TCP reset instead of an answer.
	Reset Kind = "reset"

	// Drip sends manifest bodies one byte every DripEvery.
	Drip Kind = "drip"
	// DripBlob sends blob bodies one byte every DripEvery.
	DripBlob Kind = "drip-blob"
	// Stall sends manifest headers, then nothing.
	Stall Kind = "stall"
	// HugeManifest claims a 6 GiB manifest (Content-Length) and streams.
	HugeManifest Kind = "huge-manifest"
	// EndlessManifest streams a manifest without Content-Length, forever.
	EndlessManifest Kind = "endless-manifest"
	// HugeConfig serves the real manifest with the config's size raised to
	// 6 GiB, and that config as 6 GiB of zeros.
	HugeConfig Kind = "huge-config"
	// LyingDigest flips a byte of every blob it serves.
	LyingDigest Kind = "lying-digest"
	// NoDigest drops Docker-Content-Digest from manifest responses.
	NoDigest Kind = "no-digest"
	// RedirectLoop redirects manifest and blob GETs to themselves.
	RedirectLoop Kind = "redirect-loop"
	// RetryAfter answers 503 with Retry-After: 3600.
	RetryAfter Kind = "retry-after"
	// MalformedJSON serves manifests cut off in the middle.
	MalformedJSON Kind = "malformed-json"
)

// AllKinds is every status fault and Reset, the default.
var AllKinds = []Kind{Status500, Status502, Status503, Status503RetryAfter, Status429RetryAfter, Reset}

// Hostile is every behavior of a hostile registry, for table tests.
var Hostile = []Kind{Drip, DripBlob, Stall, HugeManifest, EndlessManifest, HugeConfig, LyingDigest, NoDigest, RedirectLoop, RetryAfter, MalformedJSON}

// Options configures the proxy.
type Options struct {
	// Seed makes the choice of faulty requests and their kinds repeatable.
	Seed uint64
	// Rate is the fraction of requests (0 to 1) answered with a fault.
	Rate float64
	// Kinds are the faults to choose from, uniformly; AllKinds if empty.
	Kinds []Kind
	// RetryAfter is sent with the +Retry-After kinds, in whole seconds
	// (at least 1).
	RetryAfter time.Duration
	// Latency delays every request before it is forwarded or failed.
	Latency time.Duration
	// DripEvery is the pause between dripped bytes (2s if zero).
	DripEvery time.Duration
}

// Stats is what the proxy has seen so far.
type Stats struct {
	Requests int
	// ByMethod counts requests per HTTP method: uploads show as POST,
	// PATCH and PUT.
	ByMethod map[string]int
	Faults   int
	ByKind   map[Kind]int
}

func (s Stats) String() string {
	return fmt.Sprintf("%d requests (%s), %d faults (%s)", s.Requests, counts(s.ByMethod), s.Faults, counts(s.ByKind))
}

func counts[K ~string](m map[K]int) string {
	out := make([]string, 0, len(m))
	for k, n := range m {
		out = append(out, fmt.Sprintf("%s=%d", k, n))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// Proxy is a running fault-injecting proxy.
type Proxy struct {
	// Host is the proxy's host:port; clients use it as the registry.
	Host string

	opts     Options
	upstream string
	tr       *http.Transport
	proxy    *httputil.ReverseProxy

	mu     sync.Mutex
	rng    *rand.Rand
	stats  Stats
	config string // the config digest HugeConfig inflated
}

// New starts a proxy in front of the plain-http registry at upstream
// (host:port). It is stopped when the test ends.
func New(t testing.TB, upstream string, opts Options) *Proxy {
	t.Helper()
	if len(opts.Kinds) == 0 {
		opts.Kinds = AllKinds
	}
	opts.RetryAfter = max(opts.RetryAfter.Round(time.Second), time.Second)
	if opts.DripEvery == 0 {
		opts.DripEvery = 2 * time.Second
	}
	target := &url.URL{Scheme: "http", Host: upstream}
	p := &Proxy{
		opts:     opts,
		upstream: upstream,
		tr:       &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16},
		rng:      rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		stats:    Stats{ByKind: map[Kind]int{}, ByMethod: map[string]int{}},
	}
	p.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			// Keep the client's Host so the registry's upload Locations
			// point back through the proxy, and those requests can fail too.
			pr.Out.Host = pr.In.Host
		},
		ModifyResponse: dropDigest,
		Transport:      p.tr,
		ErrorLog:       log.New(io.Discard, "", 0),
	}
	srv := httptest.NewUnstartedServer(p)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		p.tr.CloseIdleConnections()
	})
	p.Host = strings.TrimPrefix(srv.URL, "http://")
	return p
}

// NewHostile starts a registry in front of upstream that misbehaves as k on
// every request k applies to.
func NewHostile(t testing.TB, upstream string, k Kind) *Proxy {
	t.Helper()
	return New(t, upstream, Options{Rate: 1, Kinds: []Kind{k}})
}

// Stats returns a copy of the counts so far.
func (p *Proxy) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.stats
	s.ByKind = maps.Clone(p.stats.ByKind)
	s.ByMethod = maps.Clone(p.stats.ByMethod)
	return s
}

// pick counts the request on arrival, so requests the client gives up on
// during the latency count too, and decides its fault, if any.
func (p *Proxy) pick(r *http.Request) (Kind, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Requests++
	p.stats.ByMethod[r.Method]++
	if p.rng.Float64() >= p.opts.Rate {
		return "", false
	}
	k := p.opts.Kinds[p.rng.IntN(len(p.opts.Kinds))]
	if !applies(k, r) {
		return "", false
	}
	p.stats.Faults++
	p.stats.ByKind[k]++
	return k, true
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind, faulty := p.pick(r)
	if p.opts.Latency > 0 {
		t := time.NewTimer(p.opts.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case !faulty:
		p.proxy.ServeHTTP(w, r)
	case kind == Reset:
		reset(w)
	case kind == RetryAfter:
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "come back in an hour", http.StatusServiceUnavailable)
	case strings.HasSuffix(string(kind), "+Retry-After"):
		w.Header().Set("Retry-After", strconv.Itoa(int(p.opts.RetryAfter/time.Second)))
		fallthrough
	case kind[0] >= '0' && kind[0] <= '9':
		code, _ := strconv.Atoi(string(kind)[:3])
		http.Error(w, "faultproxy: injected "+string(kind), code)
	default:
		p.misbehave(w, r, kind)
	}
}

// reset drops the connection with a TCP RST, as a crashing proxy or a
// middlebox does, without reading the request body.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("faultproxy: the server does not support hijacking")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}
