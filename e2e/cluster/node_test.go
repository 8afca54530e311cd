package cluster

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hoist-build/hoist/internal/clustertest"
	"github.com/hoist-build/hoist/internal/hoisttest"
)

const appSelector = "app.kubernetes.io/name=app"

// TestNodeRollout runs deploy/app.yaml on a real single-node cluster:
// `hoist apply` builds the app and waits for the Deployment to roll out,
// the pods run as 65532 with only NET_BIND_SERVICE, answer through
// port-forward, and a rolling update to a new build brings new pods up
// before the old ones go, the old containers draining to exit code 0.
func TestNodeRollout(t *testing.T) {
	bins := require(t, []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"}, "etcd", "containerd", "runc")
	c, node, host := startCluster(t, bins)
	// Bounds a hung rollout, not a performance threshold.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cs := kubernetes.NewForConfigOrDie(c.Config)
	defer func() {
		if t.Failed() {
			logPods(t, cs)
			for _, p := range []*clustertest.Process{node.Kubelet, node.Containerd, node.ControllerManager} {
				t.Log(p.Tail())
			}
		}
	}()
	apply := []string{"apply", "-f", "deploy/app.yaml", "--repo", host + "/e2e", "--kubeconfig", c.Kubeconfig}

	start := time.Now()
	first := mustHoist(t, nil, apply...)
	t.Logf("apply to rolled out: %v\n%s", time.Since(start).Round(time.Millisecond), first.Stderr)
	pods := runningPods(t, cs, 2)
	checkServing(ctx, t, c, cs, pods)

	w := watchPods(t, cs)
	start = time.Now()
	update := mustHoist(t, nil, append(apply, "--label", "build=2")...)
	t.Logf("rolling update to rolled out: %v\n%s", time.Since(start).Round(time.Millisecond), update.Stderr)
	updated := runningPods(t, cs, 2)
	oldImage, newImage := pods[0].Spec.Containers[0].Image, updated[0].Spec.Containers[0].Image
	if oldImage == newImage {
		t.Fatalf("the rolling update kept image %s", oldImage)
	}
	w.checkRollout(t, pods, 2)
}

// checkServing checks the running pods: their processes as the kernel sees
// them, an answer through port-forward, and the app's own log of the
// readiness probe and that request.
func checkServing(ctx context.Context, t *testing.T, c *clustertest.Cluster, cs kubernetes.Interface, pods []corev1.Pod) {
	t.Helper()
	for _, p := range pods {
		checkContainerProcess(t, p)
	}
	if body := portForwardGet(t, c, pods[0].Name, 80, "/"); strings.TrimSpace(body) != `{"Hello":"World"}` {
		t.Errorf("GET / through port-forward = %q, want {\"Hello\":\"World\"}", body)
	}
	// The app logs each request: the kubelet's readiness probe (through the
	// probe bridge) and the port-forwarded GET must both have reached it.
	logs, err := cs.CoreV1().Pods("default").GetLogs(pods[0].Name, &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("reading the logs of %s: %v", pods[0].Name, err)
	}
	for _, want := range []string{`"path":"/readyz","status":200`, `"path":"/","status":200`} {
		if !strings.Contains(string(logs), want) {
			t.Errorf("the logs of %s lack a request %s:\n%s", pods[0].Name, want, logs)
		}
	}
}

// logPods shows the pods' states when the test failed.
func logPods(t *testing.T, cs kubernetes.Interface) {
	list, err := cs.CoreV1().Pods("").List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Logf("listing pods: %v", err)
		return
	}
	for _, p := range list.Items {
		t.Logf("pod %s: phase %s, deleting since %v, ready %v, containers %+v", p.Name, p.Status.Phase, p.DeletionTimestamp, podReady(&p), p.Status.ContainerStatuses)
	}
}

// goBuild builds a main package of this module into the test's temp dir.
func goBuild(t *testing.T, pkg string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = hoisttest.Root(t)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, b)
	}
	return out
}

// runningPods returns the app's pods once exactly n run, all ready, none
// terminating, all on the same image.
func runningPods(t *testing.T, cs kubernetes.Interface, n int) []corev1.Pod {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var last []string
	for ctx.Err() == nil {
		list, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: appSelector})
		if err != nil {
			t.Fatal(err)
		}
		last = last[:0]
		var ready []corev1.Pod
		for _, p := range list.Items {
			last = append(last, p.Name+" "+string(p.Status.Phase))
			if p.DeletionTimestamp == nil && p.Status.Phase == corev1.PodRunning && podReady(&p) {
				ready = append(ready, p)
			}
		}
		if len(ready) == n && len(list.Items) == n {
			return ready
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("never %d running, ready app pods alone; last: %v", n, last)
	return nil
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
