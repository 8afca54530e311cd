package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/internal/runctest"
)

// TestGeneratedDeploymentRuns takes the Deployment `hoist manifests`
// writes, resolves it with `hoist resolve`, and runs the image it now names
// under runc with the pod's own constraints, as containerd would apply them:
// its uid and gid, only the capabilities it adds after dropping ALL in the
// bounding, permitted and effective sets, and no_new_privs for
// allowPrivilegeEscalation: false. The app must pass both probes on the
// named port and drain within the termination grace period.
func TestGeneratedDeploymentRuns(t *testing.T) {
	requireRuntime(t)
	bin, root := hoistBinary(t)
	host := registrytest.New(t)
	generated := filepath.Join(t.TempDir(), "app.yaml")
	if err := os.WriteFile(generated, []byte(strings.Join(hoist(t, bin, root, "manifests", "--probe-path", "/healthz", "--readiness-path", "/readyz", "./app"), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	resolved := strings.Join(hoist(t, bin, root, "resolve", "-f", generated, "--repo", host+"/e2e"), "\n")
	docs := strings.Split(resolved, "\n---\n")
	var dep appsv1.Deployment
	if err := yaml.UnmarshalStrict([]byte(docs[0]), &dep); err != nil {
		t.Fatalf("decoding the resolved Deployment: %v\n%s", err, resolved)
	}
	pod := dep.Spec.Template.Spec
	c := pod.Containers[0]
	if !strings.HasPrefix(c.Image, host+"/e2e/app@sha256:") {
		t.Fatalf("resolved image = %q, want a digest in %s/e2e/app", c.Image, host)
	}
	img := registrytest.Image(t, c.Image)
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// The readiness probe must pass.
	port := int(c.Ports[0].ContainerPort)
	ctr := serve(ctx, t, img, podOptions(pod, c, cfg.Config.Env), port, c.ReadinessProbe.HTTPGet.Path)
	if status, _, err := ctr.Get(ctx, port, c.LivenessProbe.HTTPGet.Path); err != nil || status != 200 {
		t.Errorf("liveness probe = %d, %v; want 200", status, err)
	}
	checkProcess(t, ctr.PID())
	drainWithin(t, ctr, time.Duration(*pod.TerminationGracePeriodSeconds)*time.Second)
}

// podOptions turns the pod's security settings into the runc process a
// container runtime would start for them.
func podOptions(pod corev1.PodSpec, c corev1.Container, imageEnv []string) runctest.Options {
	var caps []string
	for _, add := range c.SecurityContext.Capabilities.Add {
		caps = append(caps, "CAP_"+string(add))
	}
	env := imageEnv
	for _, e := range c.Env {
		env = assemble.MergeEnv(env, []string{e.Name + "=" + e.Value})
	}
	return runctest.Options{
		User:            fmt.Sprintf("%d:%d", *pod.SecurityContext.RunAsUser, *pod.SecurityContext.RunAsGroup),
		Env:             env,
		Capabilities:    &runctest.Capabilities{Bounding: caps, Permitted: caps, Effective: caps},
		NoNewPrivileges: !*c.SecurityContext.AllowPrivilegeEscalation,
	}
}

// drainWithin sends SIGTERM as the kubelet does and expects a clean exit
// before the kubelet would send SIGKILL.
func drainWithin(t *testing.T, c *runctest.Container, grace time.Duration) {
	t.Helper()
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	code, err := c.Wait(ctx)
	if err != nil || code != 0 {
		t.Fatalf("after SIGTERM: exit %d, %v; want 0 within %s\nlogs:\n%s", code, err, grace, c.Logs())
	}
}
