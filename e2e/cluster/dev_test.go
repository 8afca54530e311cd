package cluster

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hoist-build/hoist/internal/clustertest"
	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

// TestDevLoop runs `hoist dev` against a real single-node cluster with
// images loaded straight into the node's containerd (--repo
// containerd.local, no registry for the app): the first apply serves the
// app; a one-line change to a copy of app brings up new pods answering
// with the change while the old ones drain with exit 0; a compile error
// shows the compiler's message and leaves the pods serving; Ctrl-C stops
// hoist dev with exit 0 and leaves the cluster as it is.
func TestDevLoop(t *testing.T) {
	bins := require(t, []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"}, "etcd", "containerd", "runc")
	c, node, _ := startCluster(t, bins)
	cs := kubernetes.NewForConfigOrDie(c.Config)
	src := copyApp(t)
	dev := startDev(t, src, "dev", "-f", "deploy/app.yaml", "--repo", "containerd.local",
		"--containerd-address", node.ContainerdSocket(), "--kubeconfig", c.Kubeconfig)
	defer func() {
		if t.Failed() {
			logPods(t, cs)
			t.Logf("hoist dev:\n%s", dev.output())
			t.Log(node.Kubelet.Tail())
		}
	}()
	dev.waitFor(t, "hoist dev: watching", 3*time.Minute)
	pods := runningPods(t, cs, 2)
	image := pods[0].Spec.Containers[0].Image
	if !strings.HasPrefix(image, "containerd.local/app@sha256:") || pods[0].Spec.Containers[0].ImagePullPolicy != corev1.PullIfNotPresent {
		t.Fatalf("pod image %s pull policy %s, want containerd.local/app@sha256:… with IfNotPresent", image, pods[0].Spec.Containers[0].ImagePullPolicy)
	}
	if body := portForwardGet(t, c, pods[0].Name, 80, "/"); strings.TrimSpace(body) != `{"Hello":"World"}` {
		t.Fatalf("GET / = %q, want {\"Hello\":\"World\"}", body)
	}

	w := watchPods(t, cs)
	start := time.Now()
	editServer(t, src, `"Hello": "World"`, `"Hello": "Dev"`)
	updated := newPods(t, cs, image, 2)
	if body := portForwardGet(t, c, updated[0].Name, 80, "/"); strings.TrimSpace(body) != `{"Hello":"Dev"}` {
		t.Fatalf("GET / on new pod %s = %q, want {\"Hello\":\"Dev\"}", updated[0].Name, body)
	}
	t.Logf("change written to new pods serving it: %v", time.Since(start).Round(time.Millisecond))
	w.checkRollout(t, pods, 2)
	dev.waitFor(t, "["+updated[0].Name+"] ", time.Minute) // its logs are streamed, prefixed

	broken := filepath.Join(src, "app", "broken.go")
	if err := os.WriteFile(broken, []byte("package main\n\nvar _ = undefinedThing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dev.waitFor(t, "build failed", 2*time.Minute)
	dev.waitFor(t, "undefined: undefinedThing", time.Second)
	after := runningPods(t, cs, 2)
	if after[0].Spec.Containers[0].Image != updated[0].Spec.Containers[0].Image {
		t.Fatalf("after a compile error the pods run %s, want the last good %s", after[0].Spec.Containers[0].Image, updated[0].Spec.Containers[0].Image)
	}
	if body := portForwardGet(t, c, after[0].Name, 80, "/"); strings.TrimSpace(body) != `{"Hello":"Dev"}` {
		t.Errorf("after a compile error GET / = %q, want the last good build's {\"Hello\":\"Dev\"}", body)
	}

	if code := dev.interrupt(t); code != 0 {
		t.Errorf("hoist dev exited %d on Ctrl-C, want 0", code)
	}
	if left := runningPods(t, cs, 2); left[0].Name != after[0].Name {
		t.Errorf("after Ctrl-C the pods changed: %s, want %s kept", left[0].Name, after[0].Name)
	}
}

// startCluster starts the control plane and the node, with a registry the
// node pulls from, which holds the pause image.
func startCluster(t *testing.T, bins map[string]string) (*clustertest.Cluster, *clustertest.Node, string) {
	t.Helper()
	host := registrytest.New(t)
	cni := goBuild(t, "./test/cluster/cni")
	pause := mustHoist(t, nil, "build", "--repo", host+"/pause", "--bare", "--base", "scratch", "--port", "0", "./test/cluster/pause")
	t.Logf("pause image: %s", strings.TrimSpace(pause.Stdout))
	s := &clustertest.Stack{}
	t.Cleanup(s.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute) // bounds a hung start
	defer cancel()
	start := time.Now()
	c, err := clustertest.Start(ctx, s, t.TempDir(), clustertest.Options{Etcd: bins["etcd"], APIServer: bins["kube-apiserver"]})
	if err != nil {
		t.Fatal(err)
	}
	plane := time.Since(start)
	node, err := clustertest.StartNode(ctx, s, c, clustertest.NodeOptions{
		ControllerManager: bins["kube-controller-manager"], Scheduler: bins["kube-scheduler"],
		Kubelet: bins["kubelet"], Containerd: bins["containerd"], CNIPlugin: cni,
		Registry: host, PauseImage: host + "/pause:latest",
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("control plane ready in %v, node Ready %v after start", plane.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	return c, node, host
}

// copyApp copies what building app needs into a scratch module, so the
// test edits a copy, never the checkout.
func copyApp(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	for _, f := range []string{"go.mod", "go.sum", "app", "deploy/app.yaml"} {
		cmd := exec.Command("cp", "-r", "--parents", f, dst)
		cmd.Dir = hoisttest.Root(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("copying %s: %v\n%s", f, err, out)
		}
	}
	return dst
}

func editServer(t *testing.T, src, old, new string) {
	t.Helper()
	path := filepath.Join(src, "app", "server.go")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s does not contain %s", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newPods waits for n running, ready pods on an image other than old.
func newPods(t *testing.T, cs kubernetes.Interface, old string, n int) []corev1.Pod {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute) // bounds a hung rollout
	for time.Now().Before(deadline) {
		pods := runningPods(t, cs, n)
		if pods[0].Spec.Containers[0].Image != old {
			return pods
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the pods never left image %s", old)
	return nil
}

// devProcess is a background `hoist dev` and its combined output.
type devProcess struct {
	cmd  *exec.Cmd
	out  hoisttest.Output
	done chan struct{}
}

func (d *devProcess) output() string { return d.out.String() }

func startDev(t *testing.T, dir string, args ...string) *devProcess {
	t.Helper()
	d := &devProcess{done: make(chan struct{})}
	d.cmd = exec.Command(hoisttest.Binary(t), args...)
	d.cmd.Dir, d.cmd.Stdout, d.cmd.Stderr = dir, &d.out, &d.out
	d.cmd.Env = append(os.Environ(), "HOIST_CACHE="+t.TempDir())
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.cmd.Wait(); close(d.done) }()
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		<-d.done
	})
	return d
}

// waitFor waits until the output contains s, failing if hoist dev exits
// or the bound passes.
func (d *devProcess) waitFor(t *testing.T, s string, bound time.Duration) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !strings.Contains(d.output(), s) {
		select {
		case <-d.done:
			t.Fatalf("hoist dev exited before printing %q:\n%s", s, d.output())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("hoist dev did not print %q within %v:\n%s", s, bound, d.output())
		}
	}
}

// interrupt sends SIGINT, as Ctrl-C does, and returns the exit code.
func (d *devProcess) interrupt(t *testing.T) int {
	t.Helper()
	d.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-d.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("hoist dev still running 30 s after SIGINT:\n%s", d.output())
	}
	return d.cmd.ProcessState.ExitCode()
}
