package registry

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestStallTimeoutBounds: with a 300ms timeout, a dripping blob fails on
// the minimum rate, a dripping manifest on the small-request deadline, and
// a steady blob transfer longer than the timeout completes. Loopback only.
func TestStallTimeoutBounds(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chunk, n := []byte("x"), 30 // a byte every 100ms for 3s
		if strings.HasSuffix(r.URL.Path, "steady") {
			chunk, n = make([]byte, 64<<10), 10 // 64 KiB every 100ms for 1s
		}
		w.WriteHeader(http.StatusOK)
		for i := 0; i < n; i++ {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(100 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	const d = 300 * time.Millisecond
	tests := []struct {
		path    string
		wantErr string
		within  time.Duration
	}{
		{"/v2/x/blobs/sha256:drip", "sent less than 4 KiB in 300ms", 2 * d},
		{"/v2/x/manifests/drip", "did not complete a small request within 300ms", 2 * d},
		{"/v2/x/blobs/sha256:steady", "", 3 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			client := &http.Client{Transport: &stallTimeout{inner: http.DefaultTransport, d: d}}
			start := time.Now()
			resp, err := client.Get(srv.URL + tt.path)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			took := time.Since(start)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("steady transfer failed after %s: %v", took, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("error %v after %s, want %q", err, took, tt.wantErr)
			case took > tt.within:
				t.Errorf("took %s, want at most %s", took, tt.within)
			}
		})
	}
}
