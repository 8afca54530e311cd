package registry

import (
	"fmt"
	"net/http"
	"strings"
)

// Error is a refusal by the policy or a bound, worded for the user in one
// line; callers show Error() as it is.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Transport enforces p under go-containerregistry: secure serves hosts whose
// certificates are verified, insecure (which should skip verification)
// serves the hosts p lists. Every request is checked:
//   - an http URL to a host without PlainHTTP is upgraded to https, so
//     ggcr's own rule (plain http for private ranges) never applies;
//   - credentials (an Authorization header, a token-endpoint form) never go
//     over plain http to a host without CredentialsOverHTTP;
//   - a redirect to another host never carries the Authorization header of
//     the request that was redirected.
func (p Policy) Transport(secure, insecure http.RoundTripper) http.RoundTripper {
	if insecure == nil {
		insecure = secure
	}
	return &policyTransport{p: p, secure: secure, insecure: insecure}
}

type policyTransport struct {
	p                Policy
	secure, insecure http.RoundTripper
}

// MaxRedirects bounds a chain of redirects: ggcr's redirect check replaces
// net/http's default limit of 10 and sets none, so a registry redirecting
// to itself would hold hoist forever, its memory growing with the chain.
const MaxRedirects = 10

func (t *policyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if n := redirects(req); n > MaxRedirects {
		closeBody(req)
		return nil, &Error{Msg: fmt.Sprintf("%s: more than %d redirects (a redirect loop?): giving up", req.URL.Host, MaxRedirects)}
	}
	d := t.p.Decide(req.URL.Host)
	out := req
	own := func() {
		if out == req {
			out = req.Clone(req.Context())
		}
	}
	if out.URL.Scheme == "http" && !d.PlainHTTP {
		own()
		out.URL.Scheme = "https"
	}
	if carriedAcrossHosts(out) {
		own()
		out.Header.Del("Authorization")
	}
	withheld := false
	if out.URL.Scheme == "http" && !d.CredentialsOverHTTP {
		if isTokenForm(out) {
			closeBody(req)
			return nil, credentialsError(out.URL.Host)
		}
		if out.Header.Get("Authorization") != "" {
			own()
			out.Header.Del("Authorization")
			withheld = true
		}
	}
	rt := t.secure
	if d.SkipVerify {
		rt = t.insecure
	}
	resp, err := rt.RoundTrip(out)
	if err == nil && withheld && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		resp.Body.Close()
		return nil, credentialsError(out.URL.Host)
	}
	return resp, err
}

// redirects is how many redirects led to req.
func redirects(req *http.Request) int {
	n := 0
	for r := req; r.Response != nil && r.Response.Request != nil; r = r.Response.Request {
		n++
	}
	return n
}

func credentialsError(host string) error {
	return &Error{Msg: fmt.Sprintf("%s: credentials are never sent over plain http to a host that is not loopback: serve the registry over TLS (--ca-cert FILE for a private CA)", host)}
}

// carriedAcrossHosts is true for a redirect to another host that still
// carries the Authorization of the request that was redirected (Go keeps
// it for subdomains). A header minted for the new host itself differs and
// stays.
func carriedAcrossHosts(req *http.Request) bool {
	auth := req.Header.Get("Authorization")
	if auth == "" || req.Response == nil || req.Response.Request == nil {
		return false
	}
	prev := req.Response.Request
	return !strings.EqualFold(prev.URL.Host, req.URL.Host) && prev.Header.Get("Authorization") == auth
}

// isTokenForm is an OAuth2 token request, whose form body carries the
// password or refresh token.
func isTokenForm(req *http.Request) bool {
	return req.Method == http.MethodPost && strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}
