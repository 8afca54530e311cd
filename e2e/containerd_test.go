package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/clustertest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

// ctrNamespace keeps the test's images, containers and cgroups apart from
// anything else a containerd on this machine might hold.
const ctrNamespace = "hoist-e2e"

const shimSocketDir = "/run/containerd/s"

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
	logFile := filepath.Join(t.TempDir(), "app.log")
	// Registered before the run: a failed start can still leave a
	// container behind.
	t.Cleanup(func() { cd.removeTask(t, "app") })
	// No --net-host: ctr then gives the task a new network namespace, as
	// the kubelet gives a pod one.
	cd.ctr(t, "run", "-d", "--log-uri", "file://"+logFile, "--runc-root", cd.runcRoot, image, "app")
	pid := cd.taskPID(t, "app")
	if ns, host := netns(t, pid), netns(t, os.Getpid()); ns == host {
		t.Fatalf("task runs in the host network namespace %s", ns)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	body, err := getInNetns(ctx, pid, "http://127.0.0.1:80/")
	if err != nil {
		t.Fatalf("GET / in the task's network namespace: %v\nlogs:\n%s", err, fileText(logFile))
	}
	if strings.TrimSpace(body) != `{"Hello":"World"}` {
		t.Errorf("GET / = %q, want {\"Hello\":\"World\"}", body)
	}
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

// containerd is a containerd daemon started for one test, with its root,
// state, sockets and plugin directories under the test's temp dir.
type containerd struct {
	sock     string
	runcRoot string
	cmd      *exec.Cmd
	done     chan struct{}
	log      bytes.Buffer
}

func startContainerd(t *testing.T) *containerd {
	t.Helper()
	// Unix socket paths are limited to 108 bytes: keep them short.
	dir, err := os.MkdirTemp("", "ctrd")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	cd := &containerd{sock: filepath.Join(dir, "c.sock"), runcRoot: filepath.Join(dir, "runc"), done: make(chan struct{})}
	// containerd 1.6 puts shim sockets in /run/containerd/s whatever the
	// config says; remove what it creates there, and only that.
	if _, err := os.Stat(shimSocketDir); os.IsNotExist(err) {
		t.Cleanup(func() { os.Remove(shimSocketDir); os.Remove(filepath.Dir(shimSocketDir)) })
	}
	config := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(config, []byte(containerdConfig(dir, cd.sock)), 0o644); err != nil {
		t.Fatal(err)
	}
	cd.cmd = exec.Command("containerd", "--config", config)
	cd.cmd.Stdout, cd.cmd.Stderr = &cd.log, &cd.log
	if err := cd.cmd.Start(); err != nil {
		t.Fatalf("starting containerd: %v", err)
	}
	go func() { cd.cmd.Wait(); close(cd.done) }()
	t.Cleanup(func() { cd.stop(t, dir) })
	cd.waitReady(t)
	return cd
}

// containerdConfig keeps every path containerd would otherwise take from
// the host (/var/lib, /run, /opt) under dir. The CRI plugin is disabled: ctr
// talks to containerd's own API, and CRI would only look for CNI configs.
func containerdConfig(dir, sock string) string {
	return fmt.Sprintf(`version = 2
root = %[1]q
state = %[2]q
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = %[3]q

[ttrpc]
  address = %[4]q

[plugins."io.containerd.internal.v1.opt"]
  path = %[5]q
`, filepath.Join(dir, "root"), filepath.Join(dir, "state"), sock, sock+".ttrpc", filepath.Join(dir, "opt"))
}

func (cd *containerd) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // a bound on a hung daemon, not a threshold
	for {
		if exec.Command("ctr", "--address", cd.sock, "version").Run() == nil {
			return
		}
		select {
		case <-cd.done:
			t.Fatalf("containerd exited while starting:\n%s", cd.log.String())
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("containerd never answered on %s:\n%s", cd.sock, cd.log.String())
		}
	}
}

// ctr runs ctr against this daemon in the test's namespace.
func (cd *containerd) ctr(t *testing.T, args ...string) string {
	t.Helper()
	stdout, _ := cd.ctrStderr(t, args...)
	return stdout
}

func (cd *containerd) ctrStderr(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	return runTool(t, "", "ctr", append([]string{"--address", cd.sock, "--namespace", ctrNamespace}, args...)...)
}

// imageDigest reads the digest containerd recorded for ref from `ctr image
// ls` (columns REF TYPE DIGEST ...).
func (cd *containerd) imageDigest(t *testing.T, ref string) string {
	t.Helper()
	for sc := bufio.NewScanner(strings.NewReader(cd.ctr(t, "image", "ls"))); sc.Scan(); {
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[0] == ref {
			return f[2]
		}
	}
	t.Fatalf("containerd lists no image %s", ref)
	return ""
}

// task returns the pid and status `ctr task ls` shows for id.
func (cd *containerd) task(t *testing.T, id string) (pid int, status string, ok bool) {
	t.Helper()
	for sc := bufio.NewScanner(strings.NewReader(cd.ctr(t, "task", "ls"))); sc.Scan(); {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == id {
			if _, err := fmt.Sscan(f[1], &pid); err != nil {
				t.Fatalf("parsing pid of task %s from %q: %v", id, sc.Text(), err)
			}
			return pid, f[2], true
		}
	}
	return 0, "", false
}

func (cd *containerd) taskPID(t *testing.T, id string) int {
	t.Helper()
	pid, status, ok := cd.task(t, id)
	if !ok || status != "RUNNING" {
		t.Fatalf("task %s is %q (listed: %v), want RUNNING", id, status, ok)
	}
	return pid
}

func (cd *containerd) waitStopped(t *testing.T, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second) // above the app's 10 s grace period
	for {
		if _, status, ok := cd.task(t, id); !ok || status == "STOPPED" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("task %s still running 30 s after SIGTERM", id)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// removeTask kills and deletes the task and its container, whatever state
// the test left them in, so containerd can stop with no shim behind it.
func (cd *containerd) removeTask(t *testing.T, id string) {
	t.Helper()
	ctr := func(args ...string) {
		exec.Command("ctr", append([]string{"--address", cd.sock, "--namespace", ctrNamespace}, args...)...).Run()
	}
	if _, status, ok := cd.task(t, id); ok && status != "STOPPED" {
		ctr("task", "kill", "--signal", "SIGKILL", id)
		cd.waitStopped(t, id)
	}
	ctr("task", "delete", "--force", id)
	ctr("container", "delete", id)
}

// stop ends containerd, then checks that nothing the test started outlives
// it: no process in the namespace's cgroups, no mount under dir. Leftovers
// are killed or unmounted, and reported, since a leak here would pile up
// on every CI run.
func (cd *containerd) stop(t *testing.T, dir string) {
	t.Helper()
	cd.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-cd.done:
	case <-time.After(30 * time.Second):
		cd.cmd.Process.Kill()
		<-cd.done
		t.Errorf("containerd ignored SIGTERM for 30 s:\n%s", cd.log.String())
	}
	cgroups, _ := filepath.Glob("/sys/fs/cgroup/*/" + ctrNamespace)
	if unified, err := os.Stat("/sys/fs/cgroup/" + ctrNamespace); err == nil && unified.IsDir() {
		cgroups = append(cgroups, "/sys/fs/cgroup/"+ctrNamespace)
	}
	for _, cg := range cgroups {
		for _, pid := range clustertest.CgroupPIDs(cg) {
			t.Errorf("process %d still runs in cgroup %s after containerd stopped: killing it", pid, cg)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	for _, m := range clustertest.MountsUnder(dir) {
		t.Errorf("%s is still mounted after containerd stopped: unmounting it", m)
		syscall.Unmount(m, syscall.MNT_DETACH)
	}
	// Emptied cgroups are directories the kernel lets us rmdir, deepest first.
	for _, cg := range cgroups {
		clustertest.RemoveCgroup(cg)
	}
}

func fileText(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", path, err)
	}
	return string(data)
}
