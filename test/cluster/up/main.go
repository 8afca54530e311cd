package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/hoist-build/hoist/internal/clustertest"
)

func main() {
	bin := flag.String("bin", "", "directory of the Kubernetes binaries (test/cluster/build.sh --bin-dir)")
	hoist := flag.String("hoist", "./hoist", "the hoist binary, to build the pause image")
	cni := flag.String("cni", "", "the hoist-cni plugin binary")
	registry := flag.String("registry", "127.0.0.1:0", "address for the in-memory registry")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *bin, *hoist, *cni, *registry); err != nil {
		fmt.Fprintln(os.Stderr, "up:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bin, hoist, cni, registryAddr string) error {
	if bin == "" || cni == "" {
		return fmt.Errorf("reading flags: --bin and --cni are required")
	}
	etcd, err := exec.LookPath("etcd")
	if err != nil {
		return fmt.Errorf("finding etcd (apt-get install etcd-server): %w", err)
	}
	containerd, err := exec.LookPath("containerd")
	if err != nil {
		return fmt.Errorf("finding containerd (apt-get install containerd): %w", err)
	}
	s := &clustertest.Stack{}
	defer s.Close()
	host, err := startRegistry(s, registryAddr)
	if err != nil {
		return err
	}
	start := time.Now()
	pause, err := exec.CommandContext(ctx, hoist, "build", "--repo", host+"/pause", "--bare", "--base", "scratch", "--port", "0", "./test/cluster/pause").Output()
	if err != nil {
		return fmt.Errorf("building the pause image: %w", err)
	}
	built := time.Since(start)
	dir, err := os.MkdirTemp("", "hoist-cluster-")
	if err != nil {
		return err
	}
	s.Defer(func() { os.RemoveAll(dir) })
	start = time.Now()
	startCtx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	c, err := clustertest.Start(startCtx, s, dir, clustertest.Options{Etcd: etcd, APIServer: filepath.Join(bin, "kube-apiserver")})
	if err != nil {
		return err
	}
	plane := time.Since(start)
	if _, err := clustertest.StartNode(startCtx, s, c, clustertest.NodeOptions{
		ControllerManager: filepath.Join(bin, "kube-controller-manager"), Scheduler: filepath.Join(bin, "kube-scheduler"),
		Kubelet: filepath.Join(bin, "kubelet"), Containerd: containerd, CNIPlugin: cni,
		Registry: host, PauseImage: host + "/pause:latest",
	}); err != nil {
		return err
	}
	fmt.Printf(`pause image %s built in %v; control plane ready in %v, node Ready after %v

  export KUBECONFIG=%s
  ./hoist apply -f deploy/app.yaml --repo %s/dev

The registry at %s is in memory. Interrupt (Ctrl-C) to stop the cluster.
`, strings.TrimSpace(string(pause)), built.Round(time.Millisecond), plane.Round(time.Millisecond), time.Since(start).Round(time.Millisecond),
		c.Kubeconfig, host, host)
	<-ctx.Done()
	fmt.Println("stopping: deleting the pods, then the cluster")
	return nil
}
