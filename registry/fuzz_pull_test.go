package registry_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/registry"
)

// servedWire is a registry made of two documents: every manifest request
// gets manifest, every blob request gets config. Nothing leaves the process.
type servedWire struct{ manifest, config []byte }

func (w servedWire) RoundTrip(req *http.Request) (*http.Response, error) {
	body, ctype := []byte("{}"), "application/json"
	switch {
	case strings.Contains(req.URL.Path, "/manifests/"):
		body, ctype = w.manifest, mediaTypeOf(w.manifest)
	case strings.Contains(req.URL.Path, "/blobs/"):
		body = w.config
	}
	h := http.Header{"Content-Type": {ctype}}
	sum := sha256.Sum256(body)
	h.Set("Docker-Content-Digest", "sha256:"+hex.EncodeToString(sum[:]))
	if req.Method == http.MethodHead {
		return &http.Response{StatusCode: 200, Header: h, ContentLength: int64(len(body)), Body: http.NoBody, Request: req}, nil
	}
	return &http.Response{StatusCode: 200, Header: h, ContentLength: int64(len(body)),
		Body: io.NopCloser(strings.NewReader(string(body))), Request: req}, nil
}

func mediaTypeOf(doc []byte) string {
	for _, mt := range []string{"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
		"application/vnd.docker.distribution.manifest.v2+json"} {
		if strings.Contains(string(doc), mt) {
			return mt
		}
	}
	return "application/vnd.oci.image.manifest.v1+json"
}

// FuzzPull serves arbitrary manifests (or indexes) and configs to Pull, as a
// hostile registry can: no panic, errors in one line, and an image it
// accepts is of the platform asked for.
func FuzzPull(f *testing.F) {
	config := `{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"config":{}}`
	sum := sha256.Sum256([]byte(config))
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":%d,"digest":"sha256:%s"},"layers":[]}`,
		len(config), hex.EncodeToString(sum[:]))
	index := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","size":%d,"digest":"sha256:%s","platform":{"os":"linux","architecture":"amd64"}}]}`,
		len(manifest), strings.Repeat("0", 64))
	for _, seed := range [][2]string{
		{manifest, config}, {index, config}, {manifest, `{"os":"linux"`},
		{strings.Replace(manifest, fmt.Sprint(len(config)), "6442450944", 1), config},
		{`{"schemaVersion":2,"config":{"size":-1}}`, config}, {`{"manifests":[{}]}`, ""}, {"{", "}"},
	} {
		f.Add([]byte(seed[0]), []byte(seed[1]))
	}
	want := v1.Platform{OS: "linux", Architecture: "amd64"}
	f.Fuzz(func(t *testing.T, manifest, config []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		opts := registry.Options{Transport: servedWire{manifest, config}, Keychain: registrytest.Keychain{}}
		img, err := registry.Pull(ctx, "127.0.0.1:5000/fuzz/base:latest", want, opts)
		if err != nil {
			if strings.ContainsAny(err.Error(), "\n\r") {
				t.Errorf("multi-line error: %q", err)
			}
			return
		}
		cfg, err := img.ConfigFile()
		if err != nil || !(v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}).Satisfies(want) {
			t.Errorf("accepted an image of another platform: %v %v", cfg, err)
		}
	})
}
