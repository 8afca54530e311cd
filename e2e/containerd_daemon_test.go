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
)

const shimSocketDir = "/run/containerd/s"

// run starts image as task id in a network namespace of its own, logging
// to a file, and returns its pid and the log file.
func (cd *containerd) run(t *testing.T, image, id string) (pid int, logFile string) {
	t.Helper()
	logFile = filepath.Join(t.TempDir(), id+".log")
	// Registered before the run: a failed start can still leave a
	// container behind.
	t.Cleanup(func() { cd.removeTask(t, id) })
	cd.ctr(t, "run", "-d", "--log-uri", "file://"+logFile, "--runc-root", cd.runcRoot, image, id)
	return cd.taskPID(t, id), logFile
}

// wantHello GETs / from inside pid's network namespace and wants the
// sample app's greeting.
func wantHello(t *testing.T, pid int, logFile string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	body, err := getInNetns(ctx, pid, "http://127.0.0.1:80/")
	if err != nil {
		t.Fatalf("GET / in the task's network namespace: %v\nlogs:\n%s", err, fileText(logFile))
	}
	if strings.TrimSpace(body) != `{"Hello":"World"}` {
		t.Errorf("GET / = %q, want {\"Hello\":\"World\"}", body)
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
// the host under dir. The CRI plugin is disabled: ctr talks to containerd's
// own API, and CRI would only look for CNI configs.
func containerdConfig(dir, sock string) string {
	return clustertest.ContainerdBase(dir, sock, `disabled_plugins = ["io.containerd.grpc.v1.cri"]`)
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

// imageCheck is the STATUS column of `ctr image check` for ref (columns
// REF TYPE DIGEST STATUS SIZE UNPACKED; STATUS is e.g. "complete (5/5)").
func (cd *containerd) imageCheck(t *testing.T, ref string) string {
	t.Helper()
	for sc := bufio.NewScanner(strings.NewReader(cd.ctr(t, "image", "check"))); sc.Scan(); {
		if f := strings.Fields(sc.Text()); len(f) >= 5 && f[0] == ref {
			return f[3] + " " + f[4]
		}
	}
	t.Fatalf("ctr image check lists no %s", ref)
	return ""
}
