package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// loopResult is one variant of the inner loop: the time from writing a
// one-line change to the first answer carrying it from a new pod.
type loopResult struct {
	label   string
	samples []time.Duration
}

// devLoop measures the inner loop on the project's single-node cluster:
// hoist dev loading into the node's containerd, hoist dev through the
// local registry, and ko apply after each edit, as a developer would run
// it. Each variant starts from a fresh Deployment; a first edit warms it
// up unmeasured; every run then starts from a settled rollout.
func (e *env) devLoop(ctx context.Context, runs int, koVersion, out string) error {
	cl, err := e.startCluster(ctx)
	if err != nil {
		return fmt.Errorf("starting the cluster: %w", err)
	}
	defer cl.s.Close()
	if _, err := e.runQuiet(ctx, e.root, nil, "cp", "--parents", "deploy/app.yaml", e.src); err != nil {
		return err
	}
	server := filepath.Join(e.src, "app", "server.go")
	orig, err := os.ReadFile(server)
	if err != nil {
		return err
	}
	defer os.WriteFile(server, orig, 0o644)
	kubeconfig := "--kubeconfig=" + cl.c.Kubeconfig
	variants := []struct {
		label string
		args  []string // hoist dev's arguments; nil for the ko loop
	}{
		{"hoist dev, --repo containerd.local", []string{"--repo", "containerd.local", "--containerd-address", cl.node.ContainerdSocket()}},
		{"hoist dev, local registry", []string{"--repo", e.registry + "/dev"}},
		{"ko apply after each edit (ko " + koVersion + ")", nil},
	}
	var res []loopResult
	for _, v := range variants {
		fmt.Fprintln(os.Stderr, "bench: inner loop:", v.label)
		if err := os.WriteFile(server, orig, 0o644); err != nil {
			return err
		}
		if _, err := e.runQuiet(ctx, e.src, nil, filepath.Join(e.bin, "hoist"), "delete", "-f", "deploy/app.yaml", "--ignore-not-found", kubeconfig); err != nil {
			return err
		}
		var samples []time.Duration
		if v.args != nil {
			samples, err = e.hoistDevLoop(ctx, cl, orig, runs, append([]string{"dev", "-f", "deploy/app.yaml", kubeconfig}, v.args...))
		} else {
			samples, err = e.koLoop(ctx, cl, orig, runs)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", v.label, err)
		}
		res = append(res, loopResult{v.label, samples})
	}
	report := loopMarkdown(res, describeMachine(ctx))
	fmt.Print(report)
	return os.WriteFile(out, []byte(report), 0o644)
}

// measure runs the warm-up edit and then runs edits, each timed from the
// write to the first answer carrying it; after is what the loop does
// after writing (nothing for hoist dev, which watches; ko apply for ko).
func (e *env) measureLoop(ctx context.Context, cl *cluster, orig []byte, runs int, after func() error) ([]time.Duration, error) {
	var samples []time.Duration
	for i := 0; i <= runs; i++ {
		if err := cl.settled(ctx); err != nil {
			return nil, err
		}
		start := time.Now()
		want, err := e.loopEdit(orig, i)
		if err != nil {
			return nil, err
		}
		if err := after(); err != nil {
			return nil, err
		}
		answered, err := cl.firstAnswer(ctx, start, want)
		if err != nil {
			return nil, err
		}
		if i > 0 { // the first edit warms the loop up
			samples = append(samples, answered.Sub(start))
			fmt.Fprintf(os.Stderr, "bench:   run %d: %v\n", i, answered.Sub(start).Round(time.Millisecond))
		}
	}
	return samples, nil
}

func (e *env) hoistDevLoop(ctx context.Context, cl *cluster, orig []byte, runs int, args []string) ([]time.Duration, error) {
	logPath := filepath.Join(e.work, "dev-"+fmt.Sprint(time.Now().UnixNano())+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := e.command(ctx, e.src, []string{"HOIST_CACHE=" + filepath.Join(e.work, "hoist-cache")}, filepath.Join(e.bin, "hoist"), args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	deadline := time.Now().Add(5 * time.Minute)
	for {
		data, _ := os.ReadFile(logPath)
		if strings.Contains(string(data), "hoist dev: watching") {
			break
		}
		select {
		case err := <-done:
			return nil, fmt.Errorf("hoist dev exited: %v\n%s", err, data)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("hoist dev did not start watching in 5 minutes:\n%s", data)
		}
	}
	return e.measureLoop(ctx, cl, orig, runs, func() error { return nil })
}

func (e *env) koLoop(ctx context.Context, cl *cluster, orig []byte, runs int) ([]time.Duration, error) {
	env := []string{"KO_DOCKER_REPO=" + e.registry + "/ko", "KO_DEFAULTBASEIMAGE=" + e.registry + "/base:latest",
		"KUBECONFIG=" + cl.c.Kubeconfig, "PATH=" + cl.bin + string(os.PathListSeparator) + os.Getenv("PATH")}
	apply := func() error {
		_, err := e.runQuiet(ctx, e.src, env, filepath.Join(e.bin, "ko"), "apply", "-f", "deploy/app.yaml")
		return err
	}
	if _, err := os.Stat(filepath.Join(cl.bin, "kubectl")); err != nil {
		return nil, fmt.Errorf("ko apply runs kubectl: build it with test/cluster/build.sh kubectl")
	}
	if err := apply(); err != nil {
		return nil, err
	}
	return e.measureLoop(ctx, cl, orig, runs, apply)
}

func loopMarkdown(res []loopResult, machine string) string {
	var b strings.Builder
	b.WriteString("# The inner loop (hoist dev)\n\n")
	fmt.Fprintf(&b, "Machine: %s.\n\n", machine)
	b.WriteString("Time from writing a one-line change to `app` (its answer to `GET /`) to the first HTTP answer carrying ")
	b.WriteString("the change from a new pod, through port-forward, on the project's single-node cluster (`internal/clustertest`: ")
	b.WriteString("Kubernetes v1.34 built from source, containerd 1.6, runc). `deploy/app.yaml`: 2 replicas, maxSurge 1. ")
	b.WriteString("New pods are tried from the moment they are bound to the node, every 30 ms.  Written by `go run ./bench -devloop`.\n\n")
	b.WriteString("| loop | median | min | max | runs | ko / this |\n|---|---|---|---|---|---|\n")
	ko := median(res[len(res)-1].samples)
	for _, r := range res {
		lo, hi := r.samples[0], r.samples[0]
		for _, s := range r.samples {
			lo, hi = min(lo, s), max(hi, s)
		}
		m := median(r.samples)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %.1f× |\n", r.label, secs(m), secs(lo), secs(hi), len(r.samples), ko.Seconds()/m.Seconds())
	}
	return b.String()
}
