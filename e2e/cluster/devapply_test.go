package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

const devConfigMaps = `apiVersion: v1
kind: ConfigMap
metadata: {name: app-image}
data:
  image: ko://github.com/hoist-build/hoist/app
---
apiVersion: v1
kind: ConfigMap
metadata: {name: static}
data:
  greeting: hello
`

// TestDevReappliesOnlyWhatChanged drives hoist dev against a real
// apiserver with objects that need no node: a source change rebuilds the
// image and re-applies only the object that references it; a manifest edit
// re-applies only the edited object; a compile error changes nothing; and
// Ctrl-C with --cleanup deletes what dev applied.
func TestDevReappliesOnlyWhatChanged(t *testing.T) {
	c, _ := controlPlane(t)
	cs := kubernetes.NewForConfigOrDie(c.Config)
	host := registrytest.New(t)
	src := copyApp(t)
	hoisttest.WriteFiles(t, src, map[string]string{"deploy/config.yaml": devConfigMaps})
	dev := startDev(t, src, "dev", "-f", "deploy/config.yaml", "--repo", host+"/dev", "--kubeconfig", c.Kubeconfig, "--cleanup")
	defer func() { t.Logf("hoist dev:\n%s", dev.output()) }()
	dev.waitFor(t, "hoist dev: watching", 3*time.Minute)
	first := configMapValue(t, cs, "app-image", "image")
	if !strings.HasPrefix(first, host+"/dev/app@sha256:") {
		t.Fatalf("app-image holds %q, want a digest reference in %s/dev", first, host)
	}

	editServer(t, src, `"Hello": "World"`, `"Hello": "Dev"`)
	dev.waitForCount(t, "configmap/app-image serverside-applied", 2, 2*time.Minute)
	second := configMapValue(t, cs, "app-image", "image")
	if second == first || !strings.HasPrefix(second, host+"/dev/app@sha256:") {
		t.Fatalf("after the change app-image holds %q, want a new digest reference (was %s)", second, first)
	}

	hoisttest.WriteFiles(t, src, map[string]string{"deploy/config.yaml": strings.Replace(devConfigMaps, "hello", "hi", 1)})
	dev.waitForCount(t, "configmap/static serverside-applied", 2, time.Minute)
	if got := configMapValue(t, cs, "static", "greeting"); got != "hi" {
		t.Errorf("static greeting = %q after the manifest edit, want hi", got)
	}

	watchesNewPackage(t, dev, src)
	last := configMapValue(t, cs, "app-image", "image")

	hoisttest.WriteFiles(t, src, map[string]string{"app/broken.go": "package main\n\nvar _ = undefinedThing\n"})
	dev.waitFor(t, "build failed", 2*time.Minute)
	dev.waitFor(t, "undefined: undefinedThing", time.Second)
	if got := configMapValue(t, cs, "app-image", "image"); got != last {
		t.Errorf("after a compile error app-image holds %q, want the last good %s", got, last)
	}
	out := dev.output()
	if n := strings.Count(out, "configmap/app-image serverside-applied"); n != 4 {
		t.Errorf("app-image was applied %d times, want 4 (first apply, three source changes)", n)
	}

	if code := dev.interrupt(t); code != 0 {
		t.Errorf("hoist dev --cleanup exited %d on Ctrl-C, want 0", code)
	}
	for _, name := range []string{"app-image", "static"} {
		_, err := cs.CoreV1().ConfigMaps("default").Get(context.Background(), name, metav1.GetOptions{})
		if !apierrors.IsNotFound(err) {
			t.Errorf("configmap %s after Ctrl-C with --cleanup: err = %v, want not found", name, err)
		}
	}
}

// watchesNewPackage: a package the change starts to import is watched from
// then on.
func watchesNewPackage(t *testing.T, dev *devProcess, src string) {
	t.Helper()
	hoisttest.WriteFiles(t, src, map[string]string{"app/greet/greet.go": "package greet\n\nconst Word = \"Dev\"\n"})
	editServer(t, src, `"Hello": "Dev"`, `"Hello": greet.Word`)
	editServer(t, src, `import (`, "import (\n\t\"github.com/hoist-build/hoist/app/greet\"")
	dev.waitForCount(t, "configmap/app-image serverside-applied", 3, 2*time.Minute)
	dev.waitFor(t, "hoist dev: now also watching 1 new directories", time.Minute)
	hoisttest.WriteFiles(t, src, map[string]string{"app/greet/greet.go": "package greet\n\nconst Word = \"Greet\"\n"})
	dev.waitForCount(t, "configmap/app-image serverside-applied", 4, 2*time.Minute)
}

func configMapValue(t *testing.T, cs kubernetes.Interface, name, key string) string {
	t.Helper()
	cm, err := cs.CoreV1().ConfigMaps("default").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("reading configmap %s: %v", name, err)
	}
	return cm.Data[key]
}

// waitForCount waits until the output contains s n times.
func (d *devProcess) waitForCount(t *testing.T, s string, n int, bound time.Duration) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for strings.Count(d.output(), s) < n {
		select {
		case <-d.done:
			t.Fatalf("hoist dev exited before printing %q %d times:\n%s", s, n, d.output())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("hoist dev did not print %q %d times within %v:\n%s", s, n, bound, d.output())
		}
	}
}
