package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// The floor is the loop with no build at all: the image is already in the
// node's containerd and each edit is only a new pod template. No build
// tool's loop can be faster on this cluster, so it bounds every ratio.
const (
	floorLabel = "floor: no build, only a new pod template (image already on the node)"
	floorNS    = "loop-floor"
)

// Issue 13's targets for hoist dev with containerd.local.
const (
	targetLoop  = 2 * time.Second
	targetRatio = 5.0
)

// startFloor deploys the app once with hoist apply into the node's
// containerd; each edit then patches an annotation of the pod template,
// which rolls out new pods of the same image.
func (e *env) startFloor(ctx context.Context, cl *cluster, l *loop, kubeconfig string) error {
	if _, err := e.runQuiet(ctx, l.src, []string{"HOIST_CACHE=" + filepath.Join(e.work, "hoist-cache")}, filepath.Join(e.bin, "hoist"),
		"apply", "-f", "deploy/app.yaml", kubeconfig, "-n", l.ns, "--repo", "containerd.local",
		"--containerd-address", cl.node.ContainerdSocket()); err != nil {
		return err
	}
	l.after = func(context.Context) error { return nil }
	l.edit = func(ctx context.Context, n int) (string, error) {
		patch := fmt.Sprintf(`{"spec":{"template":{"metadata":{"annotations":{"bench.hoist.dev/edit":"%d-%d"}}}}}`, n, time.Now().UnixNano())
		_, err := cl.cs.AppsV1().Deployments(l.ns).Patch(ctx, "app", types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{})
		return `"Hello"`, err
	}
	return nil
}

func loopMarkdown(loops []*loop, machine string) string {
	var b strings.Builder
	b.WriteString("# The inner loop (hoist dev)\n\n")
	fmt.Fprintf(&b, "Machine: %s.\n\n", machine)
	b.WriteString("Time from writing a one-line change to `app` (its answer to `GET /`) to the first HTTP answer carrying ")
	b.WriteString("the change from a new pod, through port-forward, on the project's single-node cluster (`internal/clustertest`: ")
	b.WriteString("Kubernetes v1.34 built from source, containerd 1.6, runc). `deploy/app.yaml`: 2 replicas, maxSurge 1. ")
	b.WriteString("Each loop has its own copy of the module and its own namespace; the loops take turns edit by edit, ")
	b.WriteString("each edit once every loop's rollout is over. ")
	b.WriteString("New pods are tried from the moment they are bound to the node, every 30 ms. ")
	b.WriteString("The floor row builds nothing: its edit is a new pod template of an image already on the node, ")
	b.WriteString("the part of every loop that is Kubernetes alone. Written by `go run ./bench -devloop`.\n\n")
	b.WriteString("| loop | median | min | max | runs | ko / this |\n|---|---|---|---|---|---|\n")
	byNS := map[string]*loop{}
	for _, l := range loops {
		byNS[l.ns] = l
	}
	ko := median(byNS["loop-ko"].samples)
	for _, l := range loops {
		lo, hi := l.samples[0], l.samples[0]
		for _, s := range l.samples {
			lo, hi = min(lo, s), max(hi, s)
		}
		m := median(l.samples)
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %.1f× |\n", l.label, secs(m), secs(lo), secs(hi), len(l.samples), ko.Seconds()/m.Seconds())
	}
	b.WriteString(loopVerdicts(median(byNS["loop-containerd"].samples), ko, median(byNS[floorNS].samples)))
	return b.String()
}

// loopVerdicts states issue 13's targets against the medians, and what the
// floor allows: with an instant build a loop still costs the floor.
func loopVerdicts(dev, ko, floor time.Duration) string {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "**missed**"
	}
	ratio := ko.Seconds() / dev.Seconds()
	bound := ko.Seconds() / floor.Seconds()
	var b strings.Builder
	b.WriteString("\n| target (issue 13) | measured | verdict |\n|---|---|---|\n")
	fmt.Fprintf(&b, "| hoist dev, containerd.local: median ≤ %s | %s | %s |\n", secs(targetLoop), secs(dev), verdict(dev <= targetLoop))
	fmt.Fprintf(&b, "| ≥ %.0f× faster than the ko loop | %.1f× | %s |\n", targetRatio, ratio, verdict(ratio >= targetRatio))
	fmt.Fprintf(&b, "\nhoist dev's own share of its loop (its median less the floor's): %s; ko's: %s. ", secs(dev-floor), secs(ko-floor))
	fmt.Fprintf(&b, "The floor (%s) is what a new pod costs on this cluster with no build at all, so no tool can be more than "+
		"ko / floor = %.1f× faster than this ko loop here", secs(floor), bound)
	if bound < targetRatio {
		fmt.Fprintf(&b, ": the %.0f× target needs the whole loop under %s, %s below the floor.\n", targetRatio,
			secs(time.Duration(float64(ko)/targetRatio)), secs(floor-time.Duration(float64(ko)/targetRatio)))
	} else {
		b.WriteString(".\n")
	}
	return b.String()
}
