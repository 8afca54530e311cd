package faultproxy_test

import (
	"errors"
	"net/http"
	"syscall"
	"testing"

	"github.com/hoist-build/hoist/internal/faultproxy"
	"github.com/hoist-build/hoist/internal/registrytest"
)

// get asks the proxy for the registry's API root on a fresh connection, so a
// reset is not hidden by net/http replaying the request on another one.
func get(t *testing.T, host string) (*http.Response, error) {
	t.Helper()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Get("http://" + host + "/v2/")
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestKinds(t *testing.T) {
	upstream := registrytest.New(t)
	cases := []struct {
		name       string
		rate       float64
		kind       faultproxy.Kind
		status     int
		retryAfter string
		reset      bool
	}{
		{"pass through", 0, faultproxy.Status500, http.StatusOK, "", false},
		{"500", 1, faultproxy.Status500, 500, "", false},
		{"502", 1, faultproxy.Status502, 502, "", false},
		{"503", 1, faultproxy.Status503, 503, "", false},
		{"503 retry-after", 1, faultproxy.Status503RetryAfter, 503, "2", false},
		{"429 retry-after", 1, faultproxy.Status429RetryAfter, 429, "2", false},
		{"reset", 1, faultproxy.Reset, 0, "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := faultproxy.New(t, upstream, faultproxy.Options{Rate: tc.rate, Kinds: []faultproxy.Kind{tc.kind}, RetryAfter: 2e9})
			resp, err := get(t, p.Host)
			if tc.reset {
				if !errors.Is(err, syscall.ECONNRESET) {
					t.Fatalf("GET through a reset = %v, want a connection reset", err)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tc.status || resp.Header.Get("Retry-After") != tc.retryAfter {
					t.Errorf("GET = %d, Retry-After %q; want %d, %q", resp.StatusCode, resp.Header.Get("Retry-After"), tc.status, tc.retryAfter)
				}
			}
			st := p.Stats()
			wantFaults := int(tc.rate)
			if st.Requests != 1 || st.Faults != wantFaults || st.ByKind[tc.kind] != wantFaults {
				t.Errorf("stats = %s, want 1 request, %d fault(s) of kind %s", st, wantFaults, tc.kind)
			}
		})
	}
}

// TestSeedRepeats checks that a seed fixes which requests fail and how,
// which is what makes a failing fault test reproducible.
func TestSeedRepeats(t *testing.T) {
	upstream := registrytest.New(t)
	outcomes := func(seed uint64) []string {
		p := faultproxy.New(t, upstream, faultproxy.Options{Seed: seed, Rate: 0.5})
		var out []string
		for range 40 {
			resp, err := get(t, p.Host)
			switch {
			case err != nil:
				out = append(out, "reset")
			default:
				out = append(out, resp.Status+" "+resp.Header.Get("Retry-After"))
			}
		}
		return out
	}
	a, b, c := outcomes(7), outcomes(7), outcomes(8)
	if len(a) != len(b) {
		t.Fatalf("lengths differ")
	}
	same := func(x, y []string) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Errorf("seed 7 gave different outcomes:\n%q\n%q", a, b)
	}
	if same(a, c) {
		t.Errorf("seeds 7 and 8 gave the same 40 outcomes: %q", a)
	}
}

// TestHostileAppliesToItsRequests: a hostile kind changes only the
// requests it names (here NoDigest, manifest answers without
// Docker-Content-Digest) and passes the rest through.
func TestHostileAppliesToItsRequests(t *testing.T) {
	upstream := registrytest.New(t)
	registrytest.Write(t, upstream+"/base:latest", registrytest.RandomImage(t))
	p := faultproxy.NewHostile(t, upstream, faultproxy.NoDigest)
	for _, tc := range []struct {
		host   string
		path   string
		digest bool
	}{
		{upstream, "/v2/base/manifests/latest", true},
		{p.Host, "/v2/base/manifests/latest", false},
		{p.Host, "/v2/", false},
	} {
		req, err := http.NewRequest(http.MethodHead, "http://"+tc.host+tc.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept", "application/vnd.docker.distribution.manifest.v2+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Docker-Content-Digest") != ""; got != tc.digest || resp.StatusCode != http.StatusOK {
			t.Errorf("HEAD %s%s: %d, digest header %v; want 200, %v", tc.host, tc.path, resp.StatusCode, got, tc.digest)
		}
	}
	if st := p.Stats(); st.Requests != 2 || st.Faults != 1 {
		t.Errorf("stats = %s, want 2 requests, 1 fault", st)
	}
}
