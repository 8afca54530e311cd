package e2e

import (
	"os"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/registrytest"
)

// ctrNamespace keeps the test's images, containers and cgroups apart from
// anything else a containerd on this machine might hold.
const ctrNamespace = "hoist-e2e"

// TestContainerdRunsImage is what a Kubernetes node does with the image:
// containerd pulls it by tag from a plain-http registry, unpacks it with its
// overlay snapshotter and runs it with runc in a network namespace of its
// own. ctr has no --user, so the process runs as whatever the image config
// says; it must be uid 65532 and still answer on port 80 through the file
// capability containerd kept while unpacking, then drain on SIGTERM.
func TestContainerdRunsImage(t *testing.T) {
	requireTools(t, "containerd", "ctr", "runc")
	bin, root := hoistBinary(t)
	host := registrytest.New(t)
	lines := hoist(t, bin, root, "build", "--repo", host+"/ctr", "--tag", "e2e", "./app")
	if len(lines) != 1 {
		t.Fatalf("hoist printed %q, want one digest reference", lines)
	}
	_, digest, _ := strings.Cut(lines[0], "@")
	image := host + "/ctr/app:e2e"

	cd := startContainerd(t)
	cd.ctr(t, "image", "pull", "--plain-http", image)
	if got := cd.imageDigest(t, image); got != digest {
		t.Fatalf("containerd resolved %s to %s, hoist pushed %s", image, got, digest)
	}
	// No --net-host: ctr then gives the task a new network namespace, as
	// the kubelet gives a pod one.
	pid, logFile := cd.run(t, image, "app")
	if ns, host := netns(t, pid), netns(t, os.Getpid()); ns == host {
		t.Fatalf("task runs in the host network namespace %s", ns)
	}
	wantHello(t, pid, logFile)
	checkProcess(t, pid)

	cd.ctr(t, "task", "kill", "--signal", "SIGTERM", "app")
	cd.waitStopped(t, "app")
	// ctr reports a non-zero exit code only as a warning on stderr ("task
	// app exit with non-zero exit code N"), and still exits 0.
	_, stderr := cd.ctrStderr(t, "task", "delete", "app")
	requireSilentStderr(t, "ctr task delete (the app's exit after SIGTERM)", stderr)
	if logs := fileText(logFile); !strings.Contains(logs, "shutdown complete") {
		t.Errorf("logs do not show a drained shutdown:\n%s", logs)
	}
}
