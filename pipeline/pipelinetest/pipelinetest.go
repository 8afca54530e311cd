// Package pipelinetest holds what tests of a whole pipeline run share, as
// net/http/httptest does for net/http: the options of a reproducible build
// of a module's sample app, for pipeline's own tests and the fault tests.
package pipelinetest

import (
	"io"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/publish"
)

// AppOptions builds ./app of the module at dir for linux on each of archs
// (none: the default platform) into pub, as `hoist build` does, with its
// .ko.yaml, the distroless base, port 80 as 65532, a fixed creation time
// and the test's controlled environment.
func AppOptions(t testing.TB, dir string, pub publish.Publisher, archs ...string) pipeline.Options {
	t.Helper()
	ko, err := config.LoadKo(filepath.Join(dir, ".ko.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	opts := pipeline.Options{
		Dir: dir, Packages: []string{"./app"}, Environ: hoisttest.Environ(t), Ko: ko,
		Base: pipeline.BaseDistroless, Port: 80, User: "65532:65532",
		Created: time.Unix(0, 0).UTC(), Jobs: 2, Publisher: pub,
		WorkDir: t.TempDir(), Stderr: io.Discard,
	}
	for _, a := range archs {
		opts.Platforms = append(opts.Platforms, v1.Platform{OS: "linux", Architecture: a})
	}
	return opts
}
