package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Size caps on what a registry can make hoist hold in memory. containerd
// refuses manifests over 4 MiB; image configs are a few KiB, even with long
// histories.
const (
	MaxManifestSize = 4 << 20
	MaxConfigSize   = 8 << 20
)

// Bounded wraps inner so that manifests, indexes and referrer lists are
// refused past MaxManifestSize, before reading when Content-Length says so
// and while reading otherwise, and so that a HEAD of a manifest answered
// without Docker-Content-Digest gets one computed from a (bounded) GET
// instead of failing the push.
func Bounded(inner http.RoundTripper) http.RoundTripper {
	return &bounded{inner: inner}
}

type bounded struct{ inner http.RoundTripper }

func (b *bounded) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := b.inner.RoundTrip(req)
	if err != nil || !isManifestPath(req.URL.Path) || resp.StatusCode != http.StatusOK {
		return resp, err
	}
	if req.Method == http.MethodHead {
		if resp.Header.Get("Docker-Content-Digest") == "" {
			resp.Body.Close()
			return b.digestByGet(req)
		}
		return resp, nil
	}
	if resp.ContentLength > MaxManifestSize {
		resp.Body.Close()
		return nil, tooBig(req, resp.ContentLength)
	}
	resp.Body = &capped{rc: resp.Body, left: MaxManifestSize, req: req}
	return resp, nil
}

// digestByGet answers a HEAD that lacked the digest header with the
// headers of a GET and the sha256 of its body, as the registry should have.
func (b *bounded) digestByGet(head *http.Request) (*http.Response, error) {
	get := head.Clone(head.Context())
	get.Method = http.MethodGet
	resp, err := b.inner.RoundTrip(get)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return resp, nil
	}
	if resp.ContentLength > MaxManifestSize {
		return nil, tooBig(get, resp.ContentLength)
	}
	body, err := io.ReadAll(&capped{rc: resp.Body, left: MaxManifestSize, req: get})
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(body)
	out := &http.Response{
		Status: resp.Status, StatusCode: resp.StatusCode, Proto: resp.Proto,
		ProtoMajor: resp.ProtoMajor, ProtoMinor: resp.ProtoMinor,
		Header: resp.Header.Clone(), Body: http.NoBody, ContentLength: int64(len(body)), Request: head,
	}
	out.Header.Set("Docker-Content-Digest", "sha256:"+hex.EncodeToString(sum[:]))
	out.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return out, nil
}

// isManifestPath matches /v2/<name>/manifests/<ref> and the referrers API,
// which answers with an index.
func isManifestPath(p string) bool {
	return strings.HasPrefix(p, "/v2/") && (strings.Contains(p, "/manifests/") || strings.Contains(p, "/referrers/"))
}

func tooBig(req *http.Request, n int64) error {
	return &Error{Msg: fmt.Sprintf("%s: manifest %s is %d bytes, over the %d MiB limit: refusing it", req.URL.Host, req.URL.Path, n, MaxManifestSize>>20)}
}

// capped fails a body once it passes its limit.
type capped struct {
	rc   io.ReadCloser
	left int64
	req  *http.Request
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more decides between "exactly at the limit" and "over".
		var one [1]byte
		if n, _ := c.rc.Read(one[:]); n > 0 {
			return 0, &Error{Msg: fmt.Sprintf("%s: manifest %s is over the %d MiB limit: refusing it", c.req.URL.Host, c.req.URL.Path, MaxManifestSize>>20)}
		}
		return c.rc.Read(p)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *capped) Close() error { return c.rc.Close() }

// CheckConfigSize refuses an image config larger than MaxConfigSize before
// it is fetched: its size comes from the manifest, which the registry wrote.
func CheckConfigSize(ref string, size int64) error {
	if size > MaxConfigSize || size < 0 {
		return &Error{Msg: fmt.Sprintf("%s: image config claims %d bytes, over the %d MiB limit: refusing it", ref, size, MaxConfigSize>>20)}
	}
	return nil
}
