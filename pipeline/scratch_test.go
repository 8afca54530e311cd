package pipeline_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/cache"
	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/pipeline"
)

// scratch is a small module in a git repository with the things real
// projects have: an embedded file and directory, a local library package, a
// replaced local module, a file behind a build tag, kodata and a .ko.yaml.
// Edits change it; builds compare the cached result with a clean one.
type scratch struct {
	t           *testing.T
	ws, mod     string // workspace (holds other/ and maybe go.work) and the module
	env         []string
	base        string
	compression layers.Compression
	created     time.Time
	cache       string
	step        string // for failure messages
	logs        string // of the last build
}

func newScratch(t *testing.T) *scratch {
	t.Helper()
	ws := t.TempDir()
	s := &scratch{t: t, ws: ws, mod: filepath.Join(ws, "mod"), env: hoisttest.Environ(t),
		base: pipeline.BaseDistroless, compression: layers.Gzip, created: time.Unix(0, 0).UTC(), cache: t.TempDir()}
	files := map[string]string{
		"mod/go.mod":             "module example.com/scratch\n\ngo 1.24\n\nrequire example.com/other v0.0.0\n\nreplace example.com/other => ../other\n",
		"mod/README.md":          "scratch\n",
		"mod/.ko.yaml":           "defaultLdflags: [\"-s\", \"-w\"]\n",
		"mod/app/main.go":        mainGo,
		"mod/app/msg.txt":        "hello\n",
		"mod/app/static/a.txt":   "a\n",
		"mod/app/tagged.go":      "//go:build foo\n\npackage main\n\nfunc init() { extra = \"foo\" }\n",
		"mod/lib/lib.go":         "package lib\n\nfunc Hello() string { return \"hello-1\" }\n",
		"other/go.mod":           "module example.com/other\n\ngo 1.24\n",
		"other/x.go":             "package other\n\nconst Name = \"other-1\"\n",
		"mod/app/kodata/keep.md": "kodata\n",
	}
	for name, content := range files {
		s.write(name, content)
	}
	s.git("init", "-q", "-b", "main")
	s.git("add", "-A")
	s.git("commit", "-q", "-m", "initial")
	return s
}

const mainGo = `package main

import (
	"embed"
	"fmt"

	"example.com/other"
	"example.com/scratch/lib"
)

//go:embed msg.txt
var msg string

//go:embed static
var static embed.FS

var extra, commit, version string

func main() {
	entries, _ := static.ReadDir("static")
	fmt.Println(msg, len(entries), lib.Hello(), other.Name, extra, commit, version)
}
`

// write creates or replaces a file relative to the workspace.
func (s *scratch) write(rel, content string) {
	s.t.Helper()
	p := filepath.Join(s.ws, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

func (s *scratch) read(rel string) string {
	s.t.Helper()
	data, err := os.ReadFile(filepath.Join(s.ws, rel))
	if err != nil {
		s.t.Fatal(err)
	}
	return string(data)
}

// replace edits a file in place, failing when old is not there.
func (s *scratch) replace(rel, old, new string) {
	s.t.Helper()
	code := s.read(rel)
	if !strings.Contains(code, old) {
		s.t.Fatalf("%s does not contain %q", rel, old)
	}
	s.write(rel, strings.Replace(code, old, new, 1))
}

func (s *scratch) git(args ...string) {
	s.t.Helper()
	s.run(s.mod, "git", args...)
}

func (s *scratch) run(dir, name string, args ...string) {
	s.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, s.env
	if out, err := cmd.CombinedOutput(); err != nil {
		s.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// setEnv sets (or, with value "", removes) a variable of the build's
// environment.
func (s *scratch) setEnv(key, value string) {
	var env []string
	for _, kv := range s.env {
		if !strings.HasPrefix(kv, key+"=") {
			env = append(env, kv)
		}
	}
	if value != "" {
		env = append(env, key+"="+value)
	}
	s.env = env
}

// goenv replaces the GOENV file's settings.
func (s *scratch) goenv(content string) {
	s.t.Helper()
	if err := os.WriteFile(hoisttest.Lookup(s.env, "GOENV"), []byte(content), 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// build builds ./app, with the scratch's cache or none, and returns the
// image digest and whether the Go toolchain was skipped.
func (s *scratch) build(cached bool) (digest string, skipped bool) {
	s.t.Helper()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ko, err := config.LoadKo(filepath.Join(s.mod, ".ko.yaml"))
	if err != nil {
		s.t.Fatal(err)
	}
	lay := layoutAt(s.t, filepath.Join(s.t.TempDir(), "out"))
	opts := pipeline.Options{
		Dir: s.mod, Packages: []string{"./app"}, Environ: s.env, Ko: ko,
		Base: s.base, Port: 80, User: "65532:65532", Compression: s.compression,
		Created: s.created, Jobs: 1, Publisher: lay, WorkDir: s.t.TempDir(),
		Stderr: &logs, Logger: logger,
	}
	if cached {
		if opts.Cache, err = cache.Open(s.cache, 0, logger); err != nil {
			s.t.Fatal(err)
		}
	}
	res, err := pipeline.Run(context.Background(), opts)
	if err != nil {
		s.t.Fatalf("%s: building (cached %v): %v\n%s", s.step, cached, err, logs.String())
	}
	_, digest, _ = strings.Cut(res[0].Ref, "@")
	s.logs = logs.String()
	return digest, !strings.Contains(s.logs, "compiled")
}

// check is the rule: the cached build publishes exactly what a clean build
// does. It then builds again until the cache skips the toolchain (the
// snapshot is recorded only once the edit is older than the build), so the
// next edit is checked against that fast path. It reports whether the fast
// path was reached.
func (s *scratch) check(step string) bool {
	s.t.Helper()
	cached, _ := s.build(true)
	clean, _ := s.build(false)
	if cached != clean {
		s.t.Errorf("%s: cached build %s, clean build %s", step, cached, clean)
		return false
	}
	for range 3 {
		time.Sleep(150 * time.Millisecond)
		again, skipped := s.build(true)
		if again != clean {
			s.t.Errorf("%s: cached rebuild %s, clean build %s", step, again, clean)
			return false
		}
		if skipped {
			return true
		}
	}
	return false
}

// settle lets the files a test just wrote (and its GOENV file) age past the
// margin within which a build cannot vouch for them, so that the next build
// records a snapshot, as a build some moments after a save does.
func settle(t *testing.T) {
	t.Helper()
	hoisttest.Environ(t)
	time.Sleep(150 * time.Millisecond)
}
