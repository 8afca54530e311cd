package faults_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/faultproxy"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/registry"
)

// TestPushThroughFaults pushes the sample app through a proxy that fails
// 30% of requests. The push must succeed and land exactly the image a clean
// push lands. Retries are raised from the default because 30% of every
// request is far beyond a real flaky network: a blob upload is four
// requests (HEAD, POST, PATCH, PUT) that must all pass in one attempt.
func TestPushThroughFaults(t *testing.T) {
	cases := []struct {
		name    string
		seed    uint64
		kinds   []faultproxy.Kind
		archs   []string
		retries int
	}{
		{"all kinds", 1, nil, []string{"amd64"}, 10},
		{"resets only", 2, []faultproxy.Kind{faultproxy.Reset}, []string{"amd64"}, 30},
		{"index, all kinds", 3, nil, []string{"amd64", "arm64"}, 10},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clean := registrytest.New(t)
			want := push(t, clean, registry.Options{}, tc.archs)

			upstream := registrytest.New(t)
			proxy := faultproxy.New(t, upstream, faultproxy.Options{Seed: tc.seed, Rate: 0.3, Kinds: tc.kinds})
			logs := newRecords()
			got := push(t, proxy.Host, registry.Options{Retries: tc.retries, RetryDelay: 5 * time.Millisecond, Logger: slog.New(logs)}, tc.archs)

			st := proxy.Stats()
			retries := logs.n("retrying registry request")
			t.Logf("through the proxy: %s; hoist retried %d times (%d after a Retry-After)", st, retries, logs.withAttr("retry_after=true"))
			if digestOf(t, got) != digestOf(t, want) {
				t.Errorf("pushed %s through faults, %s cleanly: the digests must match", got, want)
			}
			if st.Faults == 0 || st.ByMethod["PATCH"] == 0 || retries == 0 {
				t.Errorf("no faults or no uploads went through the proxy: %s, %d retries", st, retries)
			}
			waited := st.ByKind[faultproxy.Status503RetryAfter] + st.ByKind[faultproxy.Status429RetryAfter]
			if got := logs.withAttr("retry_after=true"); got != waited {
				t.Errorf("honoured Retry-After %d times, but the proxy sent it %d times", got, waited)
			}
			checkComplete(t, upstream, "faults/app:latest", digestOf(t, got))
		})
	}
}

// push builds the app and publishes it to host/faults, returning the
// digest reference.
func push(t *testing.T, host string, remote registry.Options, archs []string) string {
	t.Helper()
	if remote.Keychain == nil {
		remote.Keychain = anonymous{}
	}
	reg, err := publish.NewRegistry(publish.RegistryOptions{Repo: host + "/faults", Remote: remote})
	if err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.Run(context.Background(), appOptions(t, reg, archs...))
	if err != nil {
		t.Fatalf("pushing to %s: %v", host, err)
	}
	return res[0].Ref
}

// checkComplete pulls ref straight from the registry (not through the
// proxy) and checks that it is the digest wanted and that everything it
// names can be fetched and verifies.
func checkComplete(t *testing.T, host, ref, digest string) {
	t.Helper()
	desc, err := fetch(t, host, ref)
	if err != nil {
		t.Fatal(err)
	}
	if desc.Digest.String() != digest {
		t.Fatalf("%s/%s points at %s, want %s", host, ref, desc.Digest, digest)
	}
	if err := validateAll(desc); err != nil {
		t.Errorf("%s/%s is incomplete: %v", host, ref, err)
	}
}

// fetch gets what ref names straight from the registry at host, not
// through a proxy.
func fetch(t *testing.T, host, ref string) (*remote.Descriptor, error) {
	t.Helper()
	r, err := name.ParseReference(host + "/" + ref)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(r)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", r, err)
	}
	return desc, nil
}

// validateAll fetches and verifies everything desc names: an index's
// images, their layers and configs, or an image's.
func validateAll(desc *remote.Descriptor) error {
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return err
		}
		return validate.Index(idx)
	}
	img, err := desc.Image()
	if err != nil {
		return err
	}
	return validate.Image(img)
}

// TestPermanentFaults runs the hoist command against a registry whose
// every request fails: it must exit non-zero with one line naming the
// registry, after its retries, and leave no tag.
func TestPermanentFaults(t *testing.T) {
	cases := []struct {
		name  string
		kinds []faultproxy.Kind
		want  string
	}{
		{"500", []faultproxy.Kind{faultproxy.Status500}, "500 Internal Server Error"},
		{"503 with Retry-After", []faultproxy.Kind{faultproxy.Status503RetryAfter}, "503 Service Unavailable"},
		{"reset", []faultproxy.Kind{faultproxy.Reset}, "connection reset"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			upstream := registrytest.New(t)
			proxy := faultproxy.New(t, upstream, faultproxy.Options{Seed: 4, Rate: 1, Kinds: tc.kinds})
			res := hoist(t, nil, "build", "--repo", proxy.Host+"/faults", "--retries", "2", "./app")
			t.Logf("proxy: %s; hoist said: %s", proxy.Stats(), res.LastLine())
			if res.Code == 0 || res.Stdout != "" {
				t.Fatalf("hoist exited %d with stdout %q through a dead registry", res.Code, res.Stdout)
			}
			line := res.LastLine()
			wantPrefix := "hoist: pushing " + proxy.Host + "/faults/app:latest: " + proxy.Host + ": "
			if !strings.HasPrefix(line, wantPrefix) || !strings.Contains(line, tc.want) || !strings.HasSuffix(line, "gave up after 2 retries") {
				t.Errorf("last line = %q, want %q…%s…gave up after 2 retries", line, wantPrefix, tc.want)
			}
			if st := proxy.Stats(); st.Requests < 3 {
				t.Errorf("only %d requests: hoist did not retry", st.Requests)
			}
			if repos := registrytest.Catalog(t, upstream); len(repos) != 0 {
				t.Errorf("registry holds %v after a failed push", repos)
			}
		})
	}
}

// TestSlowRegistry puts a registry that answers after 3s behind a 300ms
// --timeout: hoist must give up with the timeout, naming the registry.
func TestSlowRegistry(t *testing.T) {
	upstream := registrytest.New(t)
	proxy := faultproxy.New(t, upstream, faultproxy.Options{Latency: 3 * time.Second})
	res := hoist(t, nil, "build", "--repo", proxy.Host+"/slow", "--timeout", "300ms", "--retries", "1", "./app")
	line := res.LastLine()
	t.Logf("proxy: %s; hoist said: %s", proxy.Stats(), line)
	want := "timed out after 300ms talking to " + proxy.Host
	if res.Code == 0 || !strings.Contains(line, want) || !strings.HasPrefix(line, "hoist: pushing ") {
		t.Errorf("exit %d, last line %q; want a failure saying %q", res.Code, line, want)
	}
	if repos := registrytest.Catalog(t, upstream); len(repos) != 0 {
		t.Errorf("registry holds %v after a timed-out push", repos)
	}
}
