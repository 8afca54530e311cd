package clustertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// NodeName is the node's name, and its hostname override: with
// "localhost" the apiserver reaches the kubelet (logs, port-forward) on
// loopback.
const NodeName = "localhost"

// NodeOptions name the node's binaries and where its images come from.
type NodeOptions struct {
	ControllerManager, Scheduler, Kubelet, Containerd string
	// CNIPlugin is the hoist-cni binary (test/cluster/cni).
	CNIPlugin string
	// Registry is the host:port of the plain-http registry pods pull from,
	// and PauseImage the sandbox image in it: nothing comes from the
	// internet.
	Registry, PauseImage string
	// BridgePorts are the pod ports the probe bridge forwards; 80 when
	// empty.
	BridgePorts []int
}

// Node is a running single-node cluster's worker side.
type Node struct {
	Dir                                               string
	ControllerManager, Scheduler, Containerd, Kubelet *Process
}

// StartNode adds a controller-manager, a scheduler, containerd and a
// kubelet to the control plane c, all stopped at s.Close after the pods
// are deleted, and returns once the node is Ready. Its files live in a
// directory of its own with a short path, since containerd's sockets must
// fit in 108 bytes.
func StartNode(ctx context.Context, s *Stack, c *Cluster, opts NodeOptions) (*Node, error) {
	dir, err := os.MkdirTemp("", "hoist-node-")
	if err != nil {
		return nil, fmt.Errorf("starting the node: %w", err)
	}
	s.Defer(func() { os.RemoveAll(dir) })
	// Paths the kubelet and containerd use whatever their configuration
	// says; removed afterwards unless they were there before.
	// /run/containerd/s may serve another containerd meanwhile: it goes
	// only once empty.
	if _, err := os.Stat("/var/lib/kubelet"); os.IsNotExist(err) {
		s.Defer(func() { os.RemoveAll("/var/lib/kubelet") })
	}
	if _, err := os.Stat("/run/containerd/s"); os.IsNotExist(err) {
		s.Defer(func() { os.Remove("/run/containerd/s"); os.Remove("/run/containerd") })
	}
	s.Defer(func() { sweep(dir) })
	n := &Node{Dir: dir}
	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	if n.ControllerManager, err = StartProcess(s, dir, "kube-controller-manager", opts.ControllerManager,
		"--kubeconfig="+c.Kubeconfig, "--leader-elect=false", "--bind-address=127.0.0.1",
		"--secure-port="+itoa(ports[0]), "--cert-dir="+filepath.Join(dir, "kcm"),
		"--service-account-private-key-file="+c.SAKeyFile, "--root-ca-file="+c.CertFile,
		"--use-service-account-credentials=false"); err != nil {
		return nil, err
	}
	if n.Scheduler, err = StartProcess(s, dir, "kube-scheduler", opts.Scheduler,
		"--kubeconfig="+c.Kubeconfig, "--leader-elect=false", "--bind-address=127.0.0.1",
		"--secure-port="+itoa(ports[1]), "--cert-dir="+filepath.Join(dir, "sched")); err != nil {
		return nil, err
	}
	if n.Containerd, err = startContainerd(s, dir, opts); err != nil {
		return nil, err
	}
	bridgePorts := opts.BridgePorts
	if len(bridgePorts) == 0 {
		bridgePorts = []int{80}
	}
	s.Defer(startBridge(filepath.Join(dir, "cni", "leases"), bridgePorts))
	if n.Kubelet, err = startKubelet(s, dir, opts.Kubelet, c, ports[2], ports[3]); err != nil {
		return nil, err
	}
	// Registered last, so it runs first: the kubelet must still be there
	// to stop the pods' containers and unmount their volumes.
	s.Defer(func() { deletePods(c) })
	if err := n.Kubelet.WaitFor(ctx, func(ctx context.Context) error { return nodeReady(ctx, c) }); err != nil {
		return nil, fmt.Errorf("starting the node: %w\n%s", err, n.Containerd.Tail())
	}
	return n, nil
}

// ContainerdSocket is the node's containerd socket, for loading images
// straight into the kubelet's image store (--repo containerd.local).
func (n *Node) ContainerdSocket() string { return containerdSocket(n.Dir) }

func nodeReady(ctx context.Context, c *Cluster) error {
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return err
	}
	node, err := cs.CoreV1().Nodes().Get(ctx, NodeName, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, cond := range node.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			if cond.Status == corev1.ConditionTrue {
				return nil
			}
			return fmt.Errorf("node %s not ready: %s", NodeName, cond.Message)
		}
	}
	return fmt.Errorf("node %s has no Ready condition yet", NodeName)
}

// deletePods deletes every pod and waits, a bounded while, for the kubelet
// to have stopped their containers, so that stopping the node afterwards
// leaves nothing running.
func deletePods(c *Cluster) {
	cs, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nss, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
	if err != nil {
		return
	}
	for _, ns := range nss.Items {
		_ = cs.AppsV1().Deployments(ns.Name).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		_ = cs.AppsV1().ReplicaSets(ns.Name).DeleteCollection(ctx, metav1.DeleteOptions{}, metav1.ListOptions{})
		grace := int64(1)
		_ = cs.CoreV1().Pods(ns.Name).DeleteCollection(ctx, metav1.DeleteOptions{GracePeriodSeconds: &grace}, metav1.ListOptions{})
	}
	for ctx.Err() == nil {
		pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
		if err != nil || len(pods.Items) == 0 {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
}
