package pipeline_test

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/pipeline/pipelinetest"
	"github.com/hoist-build/hoist/publish"
)

// repoRoot is the module root: the tests build the real sample app.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func options(t *testing.T, dir string, pub publish.Publisher, platforms ...string) pipeline.Options {
	t.Helper()
	return pipelinetest.AppOptions(t, dir, pub, platforms...)
}

func run(t *testing.T, opts pipeline.Options) pipeline.Result {
	t.Helper()
	res, err := pipeline.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 {
		t.Fatalf("got %d results, want 1", len(res))
	}
	return res[0]
}

func registry(t *testing.T, host string, tags ...string) *publish.Registry {
	t.Helper()
	r, err := publish.NewRegistry(publish.RegistryOptions{Repo: host + "/hoist", Tags: tags})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPushToDistribution(t *testing.T) {
	host := registrytest.New(t)
	res := run(t, options(t, repoRoot(t), registry(t, host, "latest", "v1")))
	if !strings.HasPrefix(res.Ref, host+"/hoist/app@sha256:") {
		t.Fatalf("ref = %q, want %s/hoist/app@sha256:...", res.Ref, host)
	}
	for _, tag := range []string{"latest", "v1"} {
		img := pull(t, host+"/hoist/app:"+tag)
		if d, _ := img.Digest(); !strings.HasSuffix(res.Ref, d.String()) {
			t.Errorf("tag %s points at %s, not %s", tag, d, res.Ref)
		}
	}
	img := pull(t, res.Ref)
	if err := validate.Image(img); err != nil {
		t.Fatalf("pushed image does not validate: %v", err)
	}
	checkConfig(t, img)
	checkLayers(t, img)
}

func pull(t *testing.T, ref string) v1.Image {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatalf("pulling %s: %v", ref, err)
	}
	return img
}

func checkConfig(t *testing.T, img v1.Image) {
	t.Helper()
	cfg := hoisttest.Must(t, img.ConfigFile)
	c := cfg.Config
	checks := []struct {
		what      string
		got, want any
	}{
		{"entrypoint", strings.Join(c.Entrypoint, " "), "/ko-app/app"},
		{"cmd", len(c.Cmd), 0},
		{"user", c.User, "65532:65532"},
		{"workdir", c.WorkingDir, "/"},
		{"os", cfg.OS, "linux"},
		{"architecture", cfg.Architecture, "amd64"},
		{"ports", len(c.ExposedPorts), 1},
		{"created", cfg.Created.Time.Unix(), int64(0)},
		{"title label", c.Labels["org.opencontainers.image.title"], "app"},
		{"source label", c.Labels["org.opencontainers.image.source"], "https://github.com/hoist-build/hoist"},
		{"history", len(cfg.History), 4},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.what, ck.got, ck.want)
		}
	}
	if _, ok := c.ExposedPorts["80/tcp"]; !ok {
		t.Errorf("ExposedPorts = %v, want 80/tcp", c.ExposedPorts)
	}
	env := strings.Join(c.Env, "\n")
	for _, want := range []string{"PATH=/usr/local/sbin:", "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"} {
		if !strings.Contains(env, want) {
			t.Errorf("Env %q lacks %q", c.Env, want)
		}
	}
	for i, h := range cfg.History {
		if !strings.HasPrefix(h.CreatedBy, "hoist: ") {
			t.Errorf("history[%d] = %q, want a hoist description", i, h.CreatedBy)
		}
	}
}

// checkLayers reads each layer back and checks it holds what its place in
// the order promises: base files, CA bundle, tzdata, then the binary.
func checkLayers(t *testing.T, img v1.Image) {
	t.Helper()
	ls := hoisttest.Must(t, img.Layers)
	if len(ls) != 4 {
		t.Fatalf("got %d layers, want 4", len(ls))
	}
	want := []string{"etc/passwd", "etc/ssl/certs/ca-certificates.crt", "usr/share/zoneinfo/Europe/Berlin", "ko-app/app"}
	for i, l := range ls {
		hdrs := readTar(t, l)
		hdr, ok := hdrs[want[i]]
		if !ok {
			t.Errorf("layer %d lacks %s", i, want[i])
			continue
		}
		for _, h := range hdrs {
			if h.Uname != "" || h.Gname != "" || !h.ModTime.Equal(time.Unix(0, 0)) {
				t.Errorf("layer %d: %s has uname %q gname %q mtime %v", i, h.Name, h.Uname, h.Gname, h.ModTime)
			}
		}
		if i == 3 {
			if hdr.Mode != 0o555 || hdr.Uid != 0 {
				t.Errorf("binary mode %o uid %d, want 0555 root", hdr.Mode, hdr.Uid)
			}
			if got := hdr.PAXRecords["SCHILY.xattr.security.capability"]; got != "\x01\x00\x00\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" {
				t.Errorf("binary capability xattr = %q", got)
			}
		}
	}
}

func readTar(t *testing.T, l v1.Layer) map[string]*tar.Header {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out := map[string]*tar.Header{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(h.Name, "/")] = h
	}
}

// TestBadInputPublishesNothing checks that a failing package stops the whole
// run before any push: the registry must stay empty.
func TestBadInputPublishesNothing(t *testing.T) {
	host := registrytest.New(t)
	root := repoRoot(t)
	cases := []struct {
		name     string
		packages []string
		want     string
	}{
		{"not main", []string{"./app", "./layers"}, "not a main package"},
		{"missing dir", []string{"./app", "./nope"}, "nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := options(t, root, registry(t, host))
			opts.Packages = tc.packages
			_, err := pipeline.Run(context.Background(), opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if got := catalog(t, host); len(got) != 0 {
				t.Errorf("registry holds %v after a failed run, want nothing", got)
			}
		})
	}
}

func catalog(t *testing.T, host string) []string {
	t.Helper()
	reg, err := name.NewRegistry(host)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(context.Background(), reg)
	if err != nil {
		t.Fatal(err)
	}
	return repos
}

// TestCompileErrorKeepsDiagnostics builds a broken copy of a main package and
// checks go's own diagnostics reach Stderr.
func TestCompileErrorKeepsDiagnostics(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "go.mod"), "module example.com/broken\n\ngo 1.26\n")
	write(t, filepath.Join(dir, "main.go"), "package main\n\nfunc main() { undefinedThing() }\n")
	lay := layoutAt(t, filepath.Join(dir, "out"))
	opts := options(t, dir, lay)
	opts.Packages = []string{"."}
	var stderr bytes.Buffer
	opts.Stderr = &stderr
	if _, err := pipeline.Run(context.Background(), opts); err == nil {
		t.Fatal("a compile error built an image")
	}
	if !strings.Contains(stderr.String(), "undefined: undefinedThing") {
		t.Errorf("stderr = %q, want go's diagnostic", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); err == nil {
		t.Error("the layout was created although nothing was built")
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
