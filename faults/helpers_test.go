package faults_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/pipeline/pipelinetest"
	"github.com/hoist-build/hoist/publish"
)

func TestMain(m *testing.M) { hoisttest.Main(m) }

// appOptions builds ./app for the given architectures into pub, as
// `hoist build` does.
func appOptions(t *testing.T, pub publish.Publisher, archs ...string) pipeline.Options {
	t.Helper()
	return pipelinetest.AppOptions(t, hoisttest.Root(t), pub, archs...)
}

// digestOf is the digest part of a digest reference.
func digestOf(t *testing.T, ref string) string {
	t.Helper()
	_, d, ok := strings.Cut(ref, "@")
	if !ok {
		t.Fatalf("%q is not a digest reference", ref)
	}
	return d
}

// records counts log records by message, so a test can report what the
// client went through (retries) without parsing text.
type records struct {
	mu    sync.Mutex
	count map[string]int
	attrs map[string]int // "key=value" of every record
}

func newRecords() *records {
	return &records{count: map[string]int{}, attrs: map[string]int{}}
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *records) WithGroup(string) slog.Handler            { return r }

func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.count[rec.Message]++
	rec.Attrs(func(a slog.Attr) bool {
		r.attrs[a.Key+"="+a.Value.String()]++
		return true
	})
	return nil
}

func (r *records) n(msg string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.count[msg]
}

func (r *records) withAttr(kv string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attrs[kv]
}

// hoist runs the command in the module root with extra environment.
func hoist(t *testing.T, env []string, args ...string) hoisttest.Result {
	t.Helper()
	return hoisttest.Run(t, hoisttest.Root(t), append(hermeticEnv(t), env...), hoisttest.Binary(t), args...)
}

// hermeticEnv is the test's environment without anything that would point
// hoist at another registry or at the host's credentials.
func hermeticEnv(t *testing.T) []string {
	t.Helper()
	return append(hoisttest.HostEnviron(t, "HOIST_*", "KO_DOCKER_REPO", "SSL_CERT_FILE"), "TMPDIR="+t.TempDir())
}

// anonymous never consults the host's docker config.
type anonymous struct{}

func (anonymous) Resolve(authn.Resource) (authn.Authenticator, error) { return authn.Anonymous, nil }
