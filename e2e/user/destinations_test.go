package user

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/registrytest"
)

// TestRegistryAndLayout gives a registry and an OCI layout at once: both
// get the image, and stdout has the registry's reference, one line.
func TestRegistryAndLayout(t *testing.T) {
	host := registrytest.New(t)
	dir := service(t, nil)
	r := hoist(t, dir, userEnv(t), "build", "--repo", host+"/me", "--oci-layout", "out", "--sbom", "none", "--provenance=false")
	if r.Code != 0 {
		t.Fatalf("exit %d:\n%s", r.Code, r.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.Stdout), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], host+"/me/hello@sha256:") {
		t.Fatalf("stdout = %q, want the registry's digest reference alone", r.Stdout)
	}
	ref, err := name.ParseReference(lines[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Head(ref); err != nil {
		t.Errorf("the registry lacks %s: %v", ref, err)
	}
	idx, err := layout.ImageIndexFromPath(filepath.Join(dir, "out"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 1 || m.Manifests[0].Digest.String() != ref.Identifier() {
		t.Errorf("layout holds %v, want the pushed %s", m.Manifests, ref.Identifier())
	}
}

// TestDistIsIgnored builds with no destination in a user's git repository:
// the default layout must not show up in git status.
func TestDistIsIgnored(t *testing.T) {
	dir := service(t, nil)
	env := userEnv(t)
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir, cmd.Env = dir, append(env, "GIT_AUTHOR_NAME=u", "GIT_AUTHOR_EMAIL=u@example.com", "GIT_COMMITTER_NAME=u", "GIT_COMMITTER_EMAIL=u@example.com")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "init")
	r := hoist(t, dir, env, "build")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "dist/oci@sha256:") {
		t.Fatalf("exit %d, stdout %q:\n%s", r.Code, r.Stdout, r.Stderr)
	}
	if st := git("status", "--porcelain"); st != "" {
		t.Errorf("git status after hoist build:\n%s", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "dist", "oci", "index.json")); err != nil {
		t.Error(err)
	}
}

// TestRepushAttachesOnce pushes the same image twice with different flags
// (so a different provenance): hoist verify must list one SBOM and one
// provenance.
func TestRepushAttachesOnce(t *testing.T) {
	host := registrytest.New(t)
	dir := service(t, nil)
	env := userEnv(t)
	var ref string
	for _, extra := range [][]string{nil, {"--tag", "v2", "-v"}} {
		r := hoist(t, dir, env, append([]string{"build", "--repo", host + "/me"}, extra...)...)
		if r.Code != 0 {
			t.Fatalf("exit %d:\n%s", r.Code, r.Stderr)
		}
		if ref != "" && strings.TrimSpace(r.Stdout) != ref {
			t.Fatalf("second push gave %q, want the same image %s", r.Stdout, ref)
		}
		ref = strings.TrimSpace(r.Stdout)
	}
	r := hoist(t, dir, env, "verify", ref)
	if r.Code != 0 {
		t.Fatalf("hoist verify: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
	}
	for _, kind := range []string{"sbom", "provenance"} {
		if n := strings.Count(r.Stdout, "\n  "+kind+" "); n != 1 {
			t.Errorf("hoist verify lists %d %s attachments, want 1:\n%s", n, kind, r.Stdout)
		}
	}
}
