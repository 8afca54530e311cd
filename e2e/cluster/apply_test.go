package cluster

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/hoist-build/hoist/internal/clustertest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

var (
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	services    = schema.GroupVersionResource{Version: "v1", Resource: "services"}
	configMaps  = schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
)

// TestApplyDeployManifest applies deploy/app.yaml as a user would: the
// sample app is built and pushed once, the Deployment lands naming it by
// digest, and a second apply of the same input changes nothing.
func TestApplyDeployManifest(t *testing.T) {
	c, dyn := controlPlane(t)
	host := registrytest.New(t)
	apply := []string{"apply", "-f", "deploy/app.yaml", "--repo", host + "/e2e", "--kubeconfig", c.Kubeconfig, "--wait=false"}

	first := mustHoist(t, nil, apply...)
	want := []string{"deployment.apps/app serverside-applied", "service/app serverside-applied"}
	if got := reported(first); !slices.Equal(got, want) {
		t.Fatalf("reported %q, want %q\nstderr:\n%s", got, want, first.Stderr)
	}
	var dep appsv1.Deployment
	get(t, dyn, deployments, "default", "app", &dep)
	image := dep.Spec.Template.Spec.Containers[0].Image
	if !strings.HasPrefix(image, host+"/e2e/app@sha256:") {
		t.Fatalf("deployed image = %q, want a digest reference in %s/e2e/app", image, host)
	}
	ref, err := name.ParseReference(image)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Head(ref); err != nil {
		t.Fatalf("the registry does not hold the deployed image %s: %v", image, err)
	}
	if m := dep.ManagedFields; len(m) == 0 || m[0].Manager != "hoist" || m[0].Operation != metav1.ManagedFieldsOperationApply {
		t.Errorf("managed fields = %+v, want an Apply by hoist", m)
	}
	var svc corev1.Service
	get(t, dyn, services, "default", "app", &svc)
	if p := svc.Spec.Ports; len(p) != 1 || p[0].Port != 80 || p[0].TargetPort.StrVal != "http" {
		t.Errorf("service ports = %+v, want 80 → http", p)
	}

	t.Logf("first apply, stderr:\n%s", first.Stderr)
	again := mustHoist(t, nil, apply...)
	want = []string{"deployment.apps/app unchanged", "service/app unchanged"}
	if got := reported(again); !slices.Equal(got, want) {
		t.Fatalf("re-apply reported %q, want %q\nstderr:\n%s", got, want, again.Stderr)
	}
	var after appsv1.Deployment
	get(t, dyn, deployments, "default", "app", &after)
	if after.ResourceVersion != dep.ResourceVersion || after.Spec.Template.Spec.Containers[0].Image != image {
		t.Errorf("re-apply changed the Deployment: resourceVersion %s → %s", dep.ResourceVersion, after.ResourceVersion)
	}
}

// TestApplyRejected feeds manifests the server or the client must refuse:
// each run fails with one error naming the object and the field, reports
// what it applied before, and applies nothing after.
func TestApplyRejected(t *testing.T) {
	c, dyn := controlPlane(t)
	cases := []struct {
		name      string
		manifest  string
		extra     []string
		wantErr   []string
		applied   []string // reported and present in the cluster
		notExists string   // a ConfigMap after the failure that must not exist
	}{
		{
			name:     "negative replicas",
			manifest: configMap("before-replicas") + "---\n" + deployment("bad-replicas", "replicas: -1") + "---\n" + configMap("after-replicas"),
			wantErr: []string{"applying deployment.apps/bad-replicas: spec.replicas: Invalid value: -1: must be greater than or equal to 0",
				"applied before it: configmap/before-replicas"},
			applied:   []string{"configmap/before-replicas serverside-applied"},
			notExists: "after-replicas",
		},
		{
			name:      "port out of range",
			manifest:  "apiVersion: v1\nkind: Service\nmetadata: {name: bad-port}\nspec:\n  ports: [{port: 70000}]\n---\n" + configMap("after-port"),
			wantErr:   []string{"applying service/bad-port: spec.ports[0].port: Invalid value: 70000", "nothing was applied before it"},
			notExists: "after-port",
		},
		{
			name:      "kind the cluster does not serve",
			manifest:  configMap("before-kind") + "---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
			wantErr:   []string{"mapping widget.example.com/w: the cluster serves no kind Widget in example.com/v1"},
			notExists: "before-kind",
		},
		{
			name:      "namespace other than asked for",
			manifest:  configMap("before-ns") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: elsewhere, namespace: kube-public}\n",
			extra:     []string{"-n", "default"},
			wantErr:   []string{`mapping configmap/elsewhere: it names namespace "kube-public" but "default" was asked for`},
			notExists: "before-ns",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			checkRejected(t, c, dyn, tc.manifest, tc.extra, tc.wantErr, tc.applied, tc.notExists)
		})
	}
}

// checkRejected applies manifest and checks the run fails with every
// wantErr, after reporting and applying exactly applied, and without
// applying the ConfigMap notExists.
func checkRejected(t *testing.T, c *clustertest.Cluster, dyn dynamic.Interface, manifest string, extra, wantErr, applied []string, notExists string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	r := hoist(t, nil, append([]string{"apply", "-f", file, "--kubeconfig", c.Kubeconfig}, extra...)...)
	t.Logf("stderr:\n%s", r.Stderr)
	if r.Code != 1 {
		t.Fatalf("exit code %d, want 1", r.Code)
	}
	for _, w := range wantErr {
		if !strings.Contains(r.Stderr, "hoist: ") || !strings.Contains(r.Stderr, w) {
			t.Errorf("stderr lacks %q", w)
		}
	}
	if got := reported(r); !slices.Equal(got, applied) {
		t.Errorf("reported %q, want %q", got, applied)
	}
	for _, line := range applied {
		name := strings.TrimPrefix(strings.Fields(line)[0], "configmap/")
		if !exists(t, dyn, configMaps, "default", name) {
			t.Errorf("%s was reported applied but is not in the cluster", name)
		}
	}
	if exists(t, dyn, configMaps, "default", notExists) {
		t.Errorf("configmap %s was applied after the failure", notExists)
	}
}

func configMap(name string) string {
	return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + "}\ndata: {k: v}\n"
}

// deployment is a minimal valid Deployment with one more spec line.
func deployment(name, specLine string) string {
	return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ` + name + `}
spec:
  ` + specLine + `
  selector: {matchLabels: {app: ` + name + `}}
  template:
    metadata: {labels: {app: ` + name + `}}
    spec:
      containers: [{name: c, image: registry.invalid/x:1}]
`
}

func get(t *testing.T, dyn dynamic.Interface, gvr schema.GroupVersionResource, ns, name string, into any) {
	t.Helper()
	u, err := dyn.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("getting %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into); err != nil {
		t.Fatal(err)
	}
}

func exists(t *testing.T, dyn dynamic.Interface, gvr schema.GroupVersionResource, ns, name string) bool {
	t.Helper()
	_, err := dyn.Resource(gvr).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		return false
	case err != nil:
		t.Fatalf("getting %s %s/%s: %v", gvr.Resource, ns, name, err)
	}
	return true
}
