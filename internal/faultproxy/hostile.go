package faultproxy

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const sixGiB = 6 << 30

func isManifest(p string) bool { return strings.Contains(p, "/manifests/") }
func isBlob(p string) bool     { return strings.Contains(p, "/blobs/sha256:") }

// applies reports whether k misbehaves on r; the status faults and Reset
// apply to every request.
func applies(k Kind, r *http.Request) bool {
	get := r.Method == http.MethodGet
	switch k {
	case Drip, Stall, HugeManifest, EndlessManifest, MalformedJSON:
		return get && isManifest(r.URL.Path)
	case DripBlob, LyingDigest:
		return get && isBlob(r.URL.Path)
	case HugeConfig, RedirectLoop:
		return get && (isManifest(r.URL.Path) || isBlob(r.URL.Path))
	case NoDigest:
		return isManifest(r.URL.Path)
	}
	return true
}

// misbehave serves r as the hostile behavior k.
func (p *Proxy) misbehave(w http.ResponseWriter, r *http.Request, k Kind) {
	switch {
	case k == RedirectLoop:
		http.Redirect(w, r, r.URL.Path, http.StatusTemporaryRedirect)
	case k == NoDigest:
		p.proxy.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), noDigestKey{}, true)))
	case isManifest(r.URL.Path):
		p.serveManifest(w, r, k)
	default:
		p.serveBlob(w, r, k)
	}
}

type noDigestKey struct{}

// dropDigest removes Docker-Content-Digest from the answers to requests
// NoDigest picked.
func dropDigest(resp *http.Response) error {
	if resp.Request.Context().Value(noDigestKey{}) != nil {
		resp.Header.Del("Docker-Content-Digest")
	}
	return nil
}

func (p *Proxy) serveManifest(w http.ResponseWriter, r *http.Request, k Kind) {
	body, hdr, code := p.fetch(r)
	if code != http.StatusOK {
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Type", hdr.Get("Content-Type"))
	switch k {
	case Drip:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		p.drip(w, r, body)
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
		p.mu.Lock()
		p.config, _ = cfg["digest"].(string)
		p.mu.Unlock()
		cfg["size"] = sixGiB
		out, _ := json.Marshal(m)
		_, _ = w.Write(out)
	case MalformedJSON:
		_, _ = w.Write(body[:len(body)/2])
	}
}

func (p *Proxy) serveBlob(w http.ResponseWriter, r *http.Request, k Kind) {
	p.mu.Lock()
	inflated := k == HugeConfig && strings.HasSuffix(r.URL.Path, p.config)
	p.mu.Unlock()
	if k == HugeConfig && !inflated {
		p.proxy.ServeHTTP(w, r)
		return
	}
	if inflated {
		w.Header().Set("Content-Length", strconv.Itoa(sixGiB))
		endless(w, r, sixGiB)
		return
	}
	body, _, code := p.fetch(r)
	if code != http.StatusOK {
		w.WriteHeader(code)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if k == DripBlob {
		p.drip(w, r, body)
		return
	}
	body[len(body)/2] ^= 0xff
	_, _ = w.Write(body)
}

// fetch gets the real answer from the upstream registry.
func (p *Proxy) fetch(r *http.Request) ([]byte, http.Header, int) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+p.upstream+r.URL.RequestURI(), nil)
	if err != nil {
		return nil, nil, http.StatusInternalServerError
	}
	req.Header = r.Header.Clone()
	resp, err := p.tr.RoundTrip(req)
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

func (p *Proxy) drip(w http.ResponseWriter, r *http.Request, body []byte) {
	every := p.opts.DripEvery
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
