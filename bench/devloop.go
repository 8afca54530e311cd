package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hoist-build/hoist/internal/clustertest"
)

// loopSelector matches deploy/app.yaml's pods.
const loopSelector = "app.kubernetes.io/name=app"

// cluster is the single-node cluster the loop is measured against.
type cluster struct {
	c    *clustertest.Cluster
	node *clustertest.Node
	cs   kubernetes.Interface
	bin  string // the Kubernetes binaries, kubectl among them (ko apply runs it)
	s    *clustertest.Stack
}

func (e *env) startCluster(ctx context.Context) (*cluster, error) {
	out, err := e.runQuiet(ctx, e.root, nil, "bash", "test/cluster/build.sh", "--bin-dir")
	if err != nil {
		return nil, err
	}
	bin := strings.TrimSpace(out)
	etcd, err := exec.LookPath("etcd")
	if err != nil {
		return nil, fmt.Errorf("finding etcd (apt-get install etcd-server): %w", err)
	}
	containerd, err := exec.LookPath("containerd")
	if err != nil {
		return nil, fmt.Errorf("finding containerd (apt-get install containerd): %w", err)
	}
	cni := filepath.Join(e.bin, "hoist-cni")
	if _, err := e.runQuiet(ctx, e.root, nil, "go", "build", "-o", cni, "./test/cluster/cni"); err != nil {
		return nil, err
	}
	if _, err := e.runQuiet(ctx, e.root, nil, filepath.Join(e.bin, "hoist"), "build", "--repo", e.registry+"/pause", "--bare",
		"--base", "scratch", "--port", "0", "./test/cluster/pause"); err != nil {
		return nil, err
	}
	cl := &cluster{bin: bin, s: &clustertest.Stack{}}
	dir := filepath.Join(e.work, "cluster")
	os.RemoveAll(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	if cl.c, err = clustertest.Start(sctx, cl.s, dir, clustertest.Options{Etcd: etcd, APIServer: filepath.Join(bin, "kube-apiserver")}); err != nil {
		cl.s.Close()
		return nil, err
	}
	if cl.node, err = clustertest.StartNode(sctx, cl.s, cl.c, clustertest.NodeOptions{
		ControllerManager: filepath.Join(bin, "kube-controller-manager"), Scheduler: filepath.Join(bin, "kube-scheduler"),
		Kubelet: filepath.Join(bin, "kubelet"), Containerd: containerd, CNIPlugin: cni,
		Registry: e.registry, PauseImage: e.registry + "/pause:latest",
	}); err != nil {
		cl.s.Close()
		return nil, err
	}
	cl.cs, err = kubernetes.NewForConfig(cl.c.Config)
	return cl, err
}

// loopEdit writes the n-th one-line change of app's answer and returns
// the text a pod built from it answers with.
func loopEdit(src string, orig []byte, n int) (string, error) {
	word := fmt.Sprintf("World-%d-%d", n, time.Now().UnixNano()%1e6)
	edited := bytes.Replace(orig, []byte(`"Hello": "World"`), []byte(`"Hello": "`+word+`"`), 1)
	if bytes.Equal(edited, orig) {
		return "", fmt.Errorf("app/server.go no longer answers {\"Hello\": \"World\"}: update the bench's edit")
	}
	return word, os.WriteFile(filepath.Join(src, "app", "server.go"), edited, 0o644)
}

// firstAnswer waits for a pod created after since to answer GET / with
// want, and returns when it did. Pods are tried as soon as they are bound
// to the node, before their status says running or ready (the kubelet
// reports a started container up to a second late, on its next relist):
// the first answer is what the developer sees.
func (cl *cluster) firstAnswer(ctx context.Context, ns string, since time.Time, want string) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	last := "no new pod yet"
	for ctx.Err() == nil {
		pods, err := cl.cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: loopSelector})
		if err != nil {
			return time.Time{}, err
		}
		for _, p := range pods.Items {
			// Creation times have one-second resolution: compare with
			// the second the edit was written in.
			if p.CreationTimestamp.Time.Before(since.Truncate(time.Second)) || !bound(&p) {
				continue
			}
			gctx, gcancel := context.WithTimeout(ctx, 5*time.Second)
			body, err := podGet(gctx, cl.c.Config, ns, p.Name, 80, "/")
			gcancel()
			if err == nil && strings.Contains(body, want) {
				return time.Now(), nil
			}
			last = fmt.Sprintf("pod %s: %q %v", p.Name, body, err)
		}
		time.Sleep(30 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("no new pod answered %q within 3 minutes (last: %s)", want, last)
}

func bound(p *corev1.Pod) bool {
	return p.DeletionTimestamp == nil && p.Spec.NodeName != ""
}

// settled waits until the rollout is over: two ready pods alone, on one
// image, so every run starts from the same state.
func (cl *cluster) settled(ctx context.Context, ns string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		pods, err := cl.cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: loopSelector})
		if err != nil {
			return err
		}
		images := map[string]bool{}
		ready := 0
		for _, p := range pods.Items {
			images[p.Spec.Containers[0].Image] = true
			for _, c := range p.Status.Conditions {
				if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil {
					ready++
				}
			}
		}
		if len(pods.Items) == 2 && ready == 2 && len(images) == 1 {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the app's rollout never settled")
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
