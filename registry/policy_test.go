package registry

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDecide is the transport policy table. It only computes decisions:
// no test may send traffic to a private or public address.
func TestDecide(t *testing.T) {
	listed := Policy{Insecure: []string{"10.1.2.3:5000", "reg.lan", "[fd00::1]:443"}}
	tests := []struct {
		policy Policy
		host   string
		want   Decision
	}{
		{Policy{}, "127.0.0.1:5000", Decision{PlainHTTP: true, CredentialsOverHTTP: true}},
		{Policy{}, "127.45.6.7", Decision{PlainHTTP: true, CredentialsOverHTTP: true}},
		{Policy{}, "[::1]:5000", Decision{PlainHTTP: true, CredentialsOverHTTP: true}},
		{Policy{}, "localhost:5000", Decision{PlainHTTP: true, CredentialsOverHTTP: true}},
		{Policy{}, "LOCALHOST", Decision{PlainHTTP: true, CredentialsOverHTTP: true}},
		// ggcr's name rule picks http for all of these; hoist does not.
		{Policy{}, "10.0.0.5:5000", Decision{}},
		{Policy{}, "172.16.0.1", Decision{}},
		{Policy{}, "172.31.255.255:443", Decision{}},
		{Policy{}, "192.168.1.10:5000", Decision{}},
		{Policy{}, "169.254.169.254", Decision{}},
		{Policy{}, "[fd00::1]:5000", Decision{}},
		{Policy{}, "registry.localhost:5000", Decision{}},
		{Policy{}, "localhost.example.com", Decision{}},
		{Policy{}, "127.0.0.1.nip.io", Decision{}},
		{Policy{}, "ghcr.io", Decision{}},
		{Policy{}, "8.8.8.8:443", Decision{}},
		// Listed: plain http and no verification, but no credentials in clear.
		{listed, "10.1.2.3:5000", Decision{PlainHTTP: true, SkipVerify: true}},
		{listed, "10.1.2.3:5001", Decision{}},
		{listed, "reg.lan:5000", Decision{PlainHTTP: true, SkipVerify: true}},
		{listed, "REG.LAN", Decision{PlainHTTP: true, SkipVerify: true}},
		{listed, "[fd00::1]:443", Decision{PlainHTTP: true, SkipVerify: true}},
		{listed, "127.0.0.1:5000", Decision{PlainHTTP: true, CredentialsOverHTTP: true}},
		{Policy{Insecure: []string{"127.0.0.1"}}, "127.0.0.1:5000", Decision{PlainHTTP: true, SkipVerify: true, CredentialsOverHTTP: true}},
		// --insecure: every registry as if listed.
		{Policy{AllInsecure: true}, "192.168.1.10:5000", Decision{PlainHTTP: true, SkipVerify: true}},
		{Policy{AllInsecure: true}, "ghcr.io", Decision{PlainHTTP: true, SkipVerify: true}},
	}
	for _, tt := range tests {
		if got := tt.policy.Decide(tt.host); got != tt.want {
			t.Errorf("%+v.Decide(%q) = %+v, want %+v", tt.policy, tt.host, got, tt.want)
		}
	}
}

// recorder is the wire for these tests: it records requests and answers
// without any network.
type recorder struct {
	reqs   []*http.Request
	status int
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.reqs = append(r.reqs, req)
	code := r.status
	if code == 0 {
		code = http.StatusOK
	}
	return &http.Response{StatusCode: code, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: req}, nil
}

func newReq(t *testing.T, method, u, auth string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return req
}

func TestTransport(t *testing.T) {
	policy := Policy{Insecure: []string{"10.9.9.9:5000"}}
	tests := []struct {
		name, url, auth string
		status          int
		wantURL         string // "" means nothing may be sent
		wantAuth        string
		wantErr         string
		insecureRT      bool
	}{
		{name: "private address upgraded to https", url: "http://10.0.0.5:5000/v2/", auth: "Basic c2VjcmV0",
			wantURL: "https://10.0.0.5:5000/v2/", wantAuth: "Basic c2VjcmV0"},
		{name: "public name upgraded", url: "http://ghcr.io/v2/", wantURL: "https://ghcr.io/v2/"},
		{name: "loopback keeps http and credentials", url: "http://127.0.0.1:5000/v2/", auth: "Basic c2VjcmV0",
			wantURL: "http://127.0.0.1:5000/v2/", wantAuth: "Basic c2VjcmV0"},
		{name: "listed keeps http without credentials", url: "http://10.9.9.9:5000/v2/", auth: "Basic c2VjcmV0",
			wantURL: "http://10.9.9.9:5000/v2/", insecureRT: true},
		{name: "listed refusal explains withheld credentials", url: "http://10.9.9.9:5000/v2/", auth: "Bearer tok", status: 401,
			wantURL: "http://10.9.9.9:5000/v2/", insecureRT: true, wantErr: "credentials are never sent over plain http"},
		{name: "listed over https keeps credentials", url: "https://10.9.9.9:5000/v2/", auth: "Basic c2VjcmV0",
			wantURL: "https://10.9.9.9:5000/v2/", wantAuth: "Basic c2VjcmV0", insecureRT: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secure, insecure := &recorder{status: tt.status}, &recorder{status: tt.status}
			_, err := policy.Transport(secure, insecure).RoundTrip(newReq(t, http.MethodGet, tt.url, tt.auth))
			if tt.wantErr != "" {
				var pe *Error
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want a registry.Error with %q", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			used, unused := secure, insecure
			if tt.insecureRT {
				used, unused = insecure, secure
			}
			if len(unused.reqs) != 0 || len(used.reqs) != 1 {
				t.Fatalf("requests: %d through the transport it should use, %d through the other", len(used.reqs), len(unused.reqs))
			}
			got := used.reqs[0]
			if got.URL.String() != tt.wantURL || got.Header.Get("Authorization") != tt.wantAuth {
				t.Errorf("sent %s with Authorization %q, want %s with %q", got.URL, got.Header.Get("Authorization"), tt.wantURL, tt.wantAuth)
			}
		})
	}
}

// TestTransportTokenForm: an OAuth2 password or refresh-token form never
// goes over plain http to a host that is not loopback, even a listed one.
func TestTransportTokenForm(t *testing.T) {
	rec := &recorder{}
	rt := Policy{Insecure: []string{"auth.lan"}}.Transport(rec, rec)
	req := newReq(t, http.MethodPost, "http://auth.lan/token", "")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Body = io.NopCloser(strings.NewReader(url.Values{"password": {"canary"}}.Encode()))
	if _, err := rt.RoundTrip(req); err == nil || len(rec.reqs) != 0 {
		t.Fatalf("token form over plain http: error %v, %d requests sent; want a refusal and none", err, len(rec.reqs))
	}
}

// TestTransportRedirect: the Authorization of a redirected request never
// reaches another host; one minted for the new host does.
func TestTransportRedirect(t *testing.T) {
	first := newReq(t, http.MethodGet, "https://reg.example/v2/x/blobs/sha256:1", "Bearer registry-token")
	redirect := &http.Response{StatusCode: http.StatusTemporaryRedirect, Request: first}
	tests := []struct{ name, url, auth, want string }{
		{"subdomain carrying the registry's token", "https://cdn.reg.example/blob", "Bearer registry-token", ""},
		{"other host carrying the registry's token", "https://storage.example/blob", "Bearer registry-token", ""},
		{"other port of the same name", "https://reg.example:8443/blob", "Bearer registry-token", ""},
		{"same host", "https://reg.example/v2/x/blobs/sha256:1?r=1", "Bearer registry-token", "Bearer registry-token"},
		{"token minted for the new host", "https://storage.example/blob", "Bearer storage-token", "Bearer storage-token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			req := newReq(t, http.MethodGet, tt.url, tt.auth)
			req.Response = redirect
			if _, err := (Policy{}).Transport(rec, nil).RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if got := rec.reqs[0].Header.Get("Authorization"); got != tt.want {
				t.Errorf("Authorization %q, want %q", got, tt.want)
			}
			if req.Header.Get("Authorization") != tt.auth {
				t.Errorf("the caller's request was modified")
			}
		})
	}
}
