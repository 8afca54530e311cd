package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
)

// fixed answers every request with the same status, headers and body.
type fixed struct {
	status int
	header http.Header
	body   string
	length int64
	reqs   []string
}

func (f *fixed) RoundTrip(req *http.Request) (*http.Response, error) {
	f.reqs = append(f.reqs, req.Method)
	body := f.body
	if req.Method == http.MethodHead {
		body = ""
	}
	return &http.Response{StatusCode: f.status, Header: f.header.Clone(), ContentLength: f.length,
		Body: io.NopCloser(strings.NewReader(body)), Request: req}, nil
}

func TestBoundedManifests(t *testing.T) {
	big := strings.Repeat(" ", MaxManifestSize+1)
	tests := []struct {
		name    string
		wire    *fixed
		method  string
		path    string
		wantErr string
	}{
		{"claimed size refused before reading", &fixed{status: 200, body: "{}", length: 6 << 30}, "GET", "/v2/a/manifests/latest", "is 6442450944 bytes, over the 4 MiB limit"},
		{"unclaimed size refused while reading", &fixed{status: 200, body: big, length: -1}, "GET", "/v2/a/manifests/latest", "over the 4 MiB limit"},
		{"referrers capped too", &fixed{status: 200, body: big, length: -1}, "GET", "/v2/a/referrers/sha256:ab", "over the 4 MiB limit"},
		{"exactly at the limit is fine", &fixed{status: 200, body: big[:MaxManifestSize], length: -1}, "GET", "/v2/a/manifests/latest", ""},
		{"blobs are not manifests", &fixed{status: 200, body: big, length: -1}, "GET", "/v2/a/blobs/sha256:ab", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, "http://127.0.0.1:5000"+tt.path, nil)
			resp, err := Bounded(tt.wire).RoundTrip(req)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
			}
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestBoundedComputesMissingDigest(t *testing.T) {
	body := `{"schemaVersion":2}`
	wire := &fixed{status: 200, body: body, length: int64(len(body)), header: http.Header{"Content-Type": {"application/vnd.oci.image.manifest.v1+json"}}}
	req, _ := http.NewRequest(http.MethodHead, "http://127.0.0.1:5000/v2/a/manifests/latest", nil)
	resp, err := Bounded(wire).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(body))
	want := "sha256:" + hex.EncodeToString(sum[:])
	if got := resp.Header.Get("Docker-Content-Digest"); got != want || resp.ContentLength != int64(len(body)) {
		t.Errorf("digest %q size %d, want %q %d", got, resp.ContentLength, want, len(body))
	}
	if strings.Join(wire.reqs, ",") != "HEAD,GET" {
		t.Errorf("requests %v, want HEAD then GET", wire.reqs)
	}
}
