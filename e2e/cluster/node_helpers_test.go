package cluster

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/portforward"
	"k8s.io/client-go/transport/spdy"

	"github.com/hoist-build/hoist/internal/clustertest"
)

// checkContainerProcess finds the app container's process on the host by
// its cgroup and checks what the kernel says about it: the restricted
// securityContext's uid and gid, no privilege escalation, and only
// NET_BIND_SERVICE among its effective capabilities (bit 10).
func checkContainerProcess(t *testing.T, p corev1.Pod) {
	t.Helper()
	id := strings.TrimPrefix(p.Status.ContainerStatuses[0].ContainerID, "containerd://")
	pid := pidInCgroup(t, id)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Uid": "65532", "Gid": "65532", "CapEff": "0000000000000400", "NoNewPrivs": "1"}
	for _, line := range strings.Split(string(status), "\n") {
		key, value, _ := strings.Cut(line, ":")
		if w, ok := want[key]; ok {
			if got := strings.Fields(value); len(got) == 0 || got[0] != w {
				t.Errorf("pod %s process %d: %s = %q, want %s", p.Name, pid, key, value, w)
			}
			delete(want, key)
		}
	}
	if len(want) > 0 {
		t.Errorf("pod %s process %d: no %v in /proc status", p.Name, pid, want)
	}
}

// pidInCgroup is the one process whose cgroup path names the container.
func pidInCgroup(t *testing.T, id string) int {
	t.Helper()
	files, _ := filepath.Glob("/proc/[0-9]*/cgroup")
	var pids []int
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(b), id) {
			continue
		}
		pid, _ := strconv.Atoi(strings.Split(f, "/")[2])
		pids = append(pids, pid)
	}
	if len(pids) != 1 {
		t.Fatalf("container %s: processes %v, want one", id, pids)
	}
	return pids[0]
}

// portForwardGet forwards a local port to the pod's port through the
// apiserver and the kubelet, as `kubectl port-forward` does, and GETs path.
func portForwardGet(t *testing.T, c *clustertest.Cluster, pod string, port int, path string) string {
	t.Helper()
	rt, upgrader, err := spdy.RoundTripperFor(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	url := kubernetes.NewForConfigOrDie(c.Config).CoreV1().RESTClient().Post().
		Resource("pods").Namespace("default").Name(pod).SubResource("portforward").URL()
	dialer := spdy.NewDialer(upgrader, &http.Client{Transport: rt}, http.MethodPost, url)
	stop, ready := make(chan struct{}), make(chan struct{})
	defer close(stop)
	fw, err := portforward.NewOnAddresses(dialer, []string{"127.0.0.1"}, []string{fmt.Sprintf("0:%d", port)}, stop, ready, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- fw.ForwardPorts() }()
	select {
	case <-ready:
	case err := <-errc:
		t.Fatalf("port-forward to %s: %v", pod, err)
	}
	ports, err := fw.GetPorts()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(fmt.Sprintf("http://127.0.0.1:%d%s", ports[0].Local, path))
	if err != nil {
		t.Fatalf("GET %s through port-forward to %s: %v", path, pod, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}

// podWatch records the app's pods as the watch shows them during a
// rollout: the fewest pods ready and not terminating at any point, and each
// pod's last seen container exit code.
type podWatch struct {
	mu        sync.Mutex
	pods      map[string]*corev1.Pod
	minReady  int
	exitCodes map[string]int32
	deleted   map[string]bool
	stop      func()
}

func watchPods(t *testing.T, cs kubernetes.Interface) *podWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	list, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: appSelector})
	if err != nil {
		t.Fatal(err)
	}
	w := &podWatch{pods: map[string]*corev1.Pod{}, exitCodes: map[string]int32{}, deleted: map[string]bool{}, stop: cancel}
	for i := range list.Items {
		w.pods[list.Items[i].Name] = &list.Items[i]
	}
	w.minReady = w.available()
	wi, err := cs.CoreV1().Pods("default").Watch(ctx, metav1.ListOptions{LabelSelector: appSelector, ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cancel)
	go func() {
		for ev := range wi.ResultChan() {
			if p, ok := ev.Object.(*corev1.Pod); ok {
				w.record(ev.Type, p)
			}
		}
	}()
	return w
}

func (w *podWatch) record(typ watch.EventType, p *corev1.Pod) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range p.Status.ContainerStatuses {
		if s.State.Terminated != nil {
			w.exitCodes[p.Name] = s.State.Terminated.ExitCode
		}
	}
	if typ == watch.Deleted {
		delete(w.pods, p.Name)
		w.deleted[p.Name] = true
	} else {
		w.pods[p.Name] = p
	}
	w.minReady = min(w.minReady, w.available())
}

func (w *podWatch) available() int {
	n := 0
	for _, p := range w.pods {
		if p.DeletionTimestamp == nil && podReady(p) {
			n++
		}
	}
	return n
}

// checkRollout waits for the old pods' deletions to be seen, then checks
// that availability never fell below replicas and that every old container
// exited 0.
func (w *podWatch) checkRollout(t *testing.T, old []corev1.Pod, replicas int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute) // bounds a missed event, not a threshold
	for {
		w.mu.Lock()
		gone := 0
		for _, p := range old {
			if w.deleted[p.Name] {
				gone++
			}
		}
		w.mu.Unlock()
		if gone == len(old) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	w.stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.minReady < replicas {
		t.Errorf("during the rollout only %d pods were ready and not terminating, want at least %d", w.minReady, replicas)
	}
	for _, p := range old {
		code, ok := w.exitCodes[p.Name]
		switch {
		case !w.deleted[p.Name]:
			t.Errorf("old pod %s was never deleted", p.Name)
		case !ok:
			t.Errorf("old pod %s: no terminated container status seen", p.Name)
		case code != 0:
			t.Errorf("old pod %s: container exited %d, want 0 (a clean drain)", p.Name, code)
		}
	}
}
