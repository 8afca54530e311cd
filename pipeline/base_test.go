package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/pipeline"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestRemoteBase builds on a base pulled from the registry: its layers and
// environment must be kept under the app layer, and a base that does not
// exist, or lacks the platform, must stop the build with a clear error.
func TestRemoteBase(t *testing.T) {
	host := registrytest.New(t)
	root := repoRoot(t)
	baseOpts := options(t, root, registry(t, host))
	baseOpts.Env = []string{"FROM_BASE=yes"}
	base := run(t, baseOpts).Ref

	opts := options(t, root, registry(t, host, "on-base"))
	opts.Base = base
	opts.Env = []string{"EXTRA=1"}
	img := pull(t, run(t, opts).Ref)
	ls := hoisttest.Must(t, img.Layers)
	if len(ls) != 5 {
		t.Errorf("got %d layers, want the base's 4 plus the binary", len(ls))
	}
	cfg := hoisttest.Must(t, img.ConfigFile)
	env := strings.Join(cfg.Config.Env, " ")
	for _, want := range []string{"FROM_BASE=yes", "EXTRA=1", "SSL_CERT_FILE="} {
		if !strings.Contains(env, want) {
			t.Errorf("env %q lacks %s", env, want)
		}
	}

	cases := []struct {
		name, base string
		platform   string
		want       string
	}{
		{"missing", host + "/nope:latest", "amd64", "not found"},
		{"wrong platform", base, "arm64", "not linux/arm64"},
		{"bad reference", "UPPER CASE", "amd64", "invalid base image"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := options(t, root, registry(t, host, "never"))
			opts.Base = tc.base
			opts.Platforms = []v1.Platform{{OS: "linux", Architecture: tc.platform}}
			_, err := pipeline.Run(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestScratchBase(t *testing.T) {
	host := registrytest.New(t)
	opts := options(t, repoRoot(t), registry(t, host))
	opts.Base = pipeline.BaseScratch
	img := pull(t, run(t, opts).Ref)
	ls := hoisttest.Must(t, img.Layers)
	if len(ls) != 1 {
		t.Fatalf("scratch image has %d layers, want only the binary", len(ls))
	}
	if _, ok := readTar(t, ls[0])["ko-app/app"]; !ok {
		t.Error("scratch image lacks the binary")
	}
}
