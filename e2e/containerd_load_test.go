package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestContainerdLoad publishes straight into a real containerd with --repo
// containerd.local, no registry anywhere: the image must be recorded under
// its digest reference and its tag, be complete after containerd's garbage
// collector ran (the manifest holds its blobs through gc labels), run from
// its digest reference, and a second load must write only what changed.
func TestContainerdLoad(t *testing.T) {
	requireTools(t, "containerd", "ctr", "runc")
	bin, root := hoistBinary(t)
	cd := startContainerd(t)
	env := []string{"CONTAINERD_ADDRESS=" + cd.sock, "CONTAINERD_NAMESPACE=" + ctrNamespace, "HOIST_CACHE=" + t.TempDir()}
	out, stderr := hoistEnv(t, bin, root, env, "build", "-v", "--repo", "containerd.local", "--tag", "e2e", "./app")
	if len(out) != 1 || !strings.HasPrefix(out[0], "containerd.local/app@sha256:") {
		t.Fatalf("stdout = %q, want one containerd.local/app@sha256: reference\n%s", out, stderr)
	}
	ref := out[0]
	_, digest, _ := strings.Cut(ref, "@")
	for _, name := range []string{ref, "containerd.local/app:e2e"} {
		if got := cd.imageDigest(t, name); got != digest {
			t.Errorf("containerd records %s as %s, want %s", name, got, digest)
		}
	}
	// Removing the tag with --sync runs the garbage collector before
	// returning: what the digest record holds must all survive it.
	cd.ctr(t, "image", "rm", "--sync", "containerd.local/app:e2e")
	if status := cd.imageCheck(t, ref); !strings.HasPrefix(status, "complete") {
		t.Fatalf("after garbage collection, ctr image check says %s is %q, want complete", ref, status)
	}

	pid, logFile := cd.run(t, ref, "loaded")
	wantHello(t, pid, logFile)

	// A new label changes only the config: the layers are already there.
	out, stderr = hoistEnv(t, bin, root, env, "build", "-v", "--repo", "containerd.local", "--label", "build=2", "./app")
	if len(out) != 1 || out[0] == ref {
		t.Fatalf("second load printed %q, want a new digest reference", out)
	}
	if !strings.Contains(stderr, "blobs_written=2 ") {
		t.Errorf("second load should write only the config and the manifest:\n%s", stderr)
	}
}

// TestContainerdLoadRefusesMissingSocket fails in one line, naming the
// socket and the fix, before anything is built.
func TestContainerdLoadRefusesMissingSocket(t *testing.T) {
	bin, root := hoistBinary(t)
	missing := filepath.Join(t.TempDir(), "none.sock")
	r := hoisttest.Run(t, root, nil, bin, "build", "--repo", "containerd.local", "--containerd-address", missing, "./app")
	if r.Code == 0 {
		t.Fatal("hoist build succeeded without a containerd socket")
	}
	if msg := strings.TrimSpace(r.Stderr); !strings.Contains(msg, "no socket at "+missing) || strings.Count(msg, "\n") > 0 {
		t.Errorf("stderr = %q, want one line naming %s", msg, missing)
	}
}

// hoistEnv runs hoist with extra environment and returns its stdout lines
// and its stderr.
func hoistEnv(t *testing.T, bin, dir string, env []string, args ...string) ([]string, string) {
	t.Helper()
	r := hoisttest.MustRun(t, dir, append(os.Environ(), env...), bin, args...)
	return r.Lines(), r.Stderr
}
