package user

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// TestVersionLabels builds a user's service from git as it moves: at a
// tag, past it, and with an uncommitted edit. The version label is the tag
// only at the tag; a modified tree is marked in both labels.
func TestVersionLabels(t *testing.T) {
	dir := service(t, nil)
	env := userEnv(t)
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"}, args...)...)
		cmd.Dir, cmd.Env = dir, append(env, "GIT_AUTHOR_NAME=u", "GIT_AUTHOR_EMAIL=u@example.com", "GIT_COMMITTER_NAME=u", "GIT_COMMITTER_EMAIL=u@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	head := func() string {
		out, err := exec.Command("git", "-C", dir, "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	labels := func() map[string]string {
		out := filepath.Join(t.TempDir(), "oci") // outside the tree, which it would dirty
		if r := hoist(t, dir, env, "build", "--oci-layout", out); r.Code != 0 {
			t.Fatalf("hoist build: exit %d\n%s", r.Code, r.Stderr)
		}
		idx, err := layout.ImageIndexFromPath(out)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := idx.IndexManifest()
		img, err := idx.Image(m.Manifests[0].Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		return cfg.Config.Labels
	}
	check := func(when, revision, version string) {
		t.Helper()
		l := labels()
		v, has := l["org.opencontainers.image.version"]
		if l["org.opencontainers.image.revision"] != revision || v != version || has != (version != "") {
			t.Errorf("%s: revision %q, version %q (set %v); want %q, %q", when, l["org.opencontainers.image.revision"], v, has, revision, version)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "first")
	git("tag", "v1.0.0")
	check("at the tag", head(), "v1.0.0")
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	check("at the tag, modified", head()+"-dirty", "v1.0.0-dirty")
	git("add", "README")
	git("commit", "-qm", "second")
	check("one commit past the tag", head(), "")
}
