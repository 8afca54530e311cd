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

// The faults the proxy can inject.
const (
	Status500           Kind = "500"
	Status502           Kind = "502"
	Status503           Kind = "503"
	Status503RetryAfter Kind = "503+Retry-After"
	Status429RetryAfter Kind = "429+Retry-After"
	// Reset hijacks the connection and closes it with SO_LINGER 0, so the
	// client sees a TCP reset instead of an answer.
	Reset Kind = "reset"
)

// AllKinds is every fault, the default.
var AllKinds = []Kind{Status500, Status502, Status503, Status503RetryAfter, Status429RetryAfter, Reset}

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

	opts  Options
	proxy *httputil.ReverseProxy

	mu    sync.Mutex
	rng   *rand.Rand
	stats Stats
}

// New starts a proxy in front of the plain-http registry at upstream
// (host:port). It is stopped when the test ends.
func New(t testing.TB, upstream string, opts Options) *Proxy {
	t.Helper()
	if len(opts.Kinds) == 0 {
		opts.Kinds = AllKinds
	}
	opts.RetryAfter = max(opts.RetryAfter.Round(time.Second), time.Second)
	target := &url.URL{Scheme: "http", Host: upstream}
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 16}
	p := &Proxy{
		opts: opts,
		rng:  rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		proxy: &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				// Keep the client's Host so the registry's upload Locations
				// point back through the proxy, and those requests can fail too.
				pr.Out.Host = pr.In.Host
			},
			Transport: tr,
			ErrorLog:  log.New(io.Discard, "", 0),
		},
		stats: Stats{ByKind: map[Kind]int{}, ByMethod: map[string]int{}},
	}
	srv := httptest.NewUnstartedServer(p)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		tr.CloseIdleConnections()
	})
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	p.Host = u.Host
	return p
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
func (p *Proxy) pick(method string) (Kind, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stats.Requests++
	p.stats.ByMethod[method]++
	if p.rng.Float64() >= p.opts.Rate {
		return "", false
	}
	k := p.opts.Kinds[p.rng.IntN(len(p.opts.Kinds))]
	p.stats.Faults++
	p.stats.ByKind[k]++
	return k, true
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind, faulty := p.pick(r.Method)
	if p.opts.Latency > 0 {
		t := time.NewTimer(p.opts.Latency)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	if !faulty {
		p.proxy.ServeHTTP(w, r)
		return
	}
	switch kind {
	case Reset:
		reset(w)
		return
	case Status503RetryAfter, Status429RetryAfter:
		w.Header().Set("Retry-After", strconv.Itoa(int(p.opts.RetryAfter/time.Second)))
	}
	code, _ := strconv.Atoi(string(kind)[:3])
	http.Error(w, "faultproxy: injected "+string(kind), code)
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
