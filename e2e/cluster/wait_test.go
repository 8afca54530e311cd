package cluster

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestApplyWaitsForRollout plays the Deployment controller, which this
// control plane lacks: apply --wait must not return while the status says
// the rollout is unfinished, must fail at --timeout saying what it waited
// for, and must return once the status shows every replica updated and
// available.
func TestApplyWaitsForRollout(t *testing.T) {
	c, dyn := controlPlane(t)
	file := filepath.Join(t.TempDir(), "dep.yaml")
	if err := os.WriteFile(file, []byte(deployment("waited", "replicas: 2")), 0o644); err != nil {
		t.Fatal(err)
	}
	apply := []string{"apply", "-f", file, "--kubeconfig", c.Kubeconfig}

	timedOut := hoist(t, nil, append(apply, "--timeout", "2s")...)
	if timedOut.Code != 1 || !strings.Contains(timedOut.Stderr, "waiting for deployment.apps/waited to roll out (last: waiting for the controller to observe the new spec)") ||
		!strings.Contains(timedOut.Stderr, "deadline exceeded") {
		t.Fatalf("exit %d, want 1 and a timeout naming the Deployment's state\nstderr:\n%s", timedOut.Code, timedOut.Stderr)
	}

	// Bounds a hung hoist, not a performance threshold.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, hoisttest.Binary(t), append(apply, "--timeout", "2m")...)
	cmd.Dir = hoisttest.Root(t)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(stderr)
	var seen []string
	waitFor := func(want string) {
		t.Helper()
		for lines.Scan() {
			seen = append(seen, lines.Text())
			if strings.Contains(lines.Text(), want) {
				return
			}
		}
		t.Fatalf("hoist never printed %q; stderr:\n%s", want, strings.Join(seen, "\n"))
	}
	waitFor("waiting for the controller to observe the new spec")
	setStatus(t, dyn, "waited", 2, 1)
	waitFor("1 of 2 updated replicas available")
	setStatus(t, dyn, "waited", 2, 2)
	waitFor("deployment.apps/waited rolled out")
	rest, _ := io.ReadAll(stderr)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("hoist apply --wait: %v\nstderr:\n%s\n%s", err, strings.Join(seen, "\n"), rest)
	}
}

// setStatus writes what the Deployment controller would after a rollout
// of replicas pods, available of them available.
func setStatus(t *testing.T, dyn dynamic.Interface, name string, replicas, available int64) {
	t.Helper()
	ctx := context.Background()
	r := dyn.Resource(deployments).Namespace("default")
	u, err := r.Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]any{
		"observedGeneration": u.GetGeneration(), "replicas": replicas, "updatedReplicas": replicas,
		"readyReplicas": available, "availableReplicas": available,
	}
	if err := unstructured.SetNestedMap(u.Object, status, "status"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.UpdateStatus(ctx, u, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("updating the status of %s: %v", name, err)
	}
}
