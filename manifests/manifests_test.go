package manifests_test

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	psapi "k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
	"sigs.k8s.io/yaml"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/manifests"
	"github.com/hoist-build/hoist/resolve"
)

const app = "github.com/hoist-build/hoist/app"

// appOpts are the sample app's settings, as deploy/app.yaml is generated.
var appOpts = manifests.Options{ImportPath: app, Replicas: 2, Port: 80, ProbePath: "/healthz", ReadinessPath: "/readyz"}

// decode generates the stream and decodes it strictly, as the API server
// would refuse unknown or misplaced fields.
func decode(t *testing.T, opts manifests.Options) (*appsv1.Deployment, *corev1.Service, []byte) {
	t.Helper()
	out, err := manifests.YAML(opts)
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(string(out), "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("got %d documents, want a Deployment and a Service:\n%s", len(docs), out)
	}
	var dep appsv1.Deployment
	if err := yaml.UnmarshalStrict([]byte(docs[0]), &dep); err != nil {
		t.Fatalf("decoding the Deployment strictly: %v", err)
	}
	var svc corev1.Service
	if err := yaml.UnmarshalStrict([]byte(docs[1]), &svc); err != nil {
		t.Fatalf("decoding the Service strictly: %v", err)
	}
	return &dep, &svc, out
}

func TestFields(t *testing.T) {
	dep, svc, out := decode(t, appOpts)
	if n := len(dep.Spec.Template.Spec.Containers); n != 1 {
		t.Fatalf("got %d containers, want 1", n)
	}
	hoisttest.CheckFields(t, "", fieldChecks(dep, svc))
	if strings.Contains(string(out), "status:") || strings.Contains(string(out), "creationTimestamp") {
		t.Errorf("manifest carries status or creationTimestamp:\n%s", out)
	}
	if refs, err := resolve.Refs(out); err != nil || !slices.Equal(refs, []string{app}) {
		t.Errorf("resolve.Refs = %q, %v; want the one image reference %s", refs, err, app)
	}
}

// fieldChecks are the sample app's fields and what they must be.
func fieldChecks(dep *appsv1.Deployment, svc *corev1.Service) hoisttest.Fields {
	pod := dep.Spec.Template.Spec
	c := pod.Containers[0]
	sc, psc := c.SecurityContext, pod.SecurityContext
	ru := dep.Spec.Strategy.RollingUpdate
	return hoisttest.Fields{
		{"deployment kind", dep.APIVersion + " " + dep.Kind, "apps/v1 Deployment"},
		{"deployment name", dep.Name, "app"},
		{"deployment label", dep.Labels[manifests.NameLabel], "app"},
		{"replicas", *dep.Spec.Replicas, int32(2)},
		{"selector", dep.Spec.Selector.MatchLabels[manifests.NameLabel], "app"},
		{"pod label", dep.Spec.Template.Labels[manifests.NameLabel], "app"},
		{"strategy", string(dep.Spec.Strategy.Type), "RollingUpdate"},
		{"maxUnavailable", ru.MaxUnavailable.String(), "0"},
		{"maxSurge", ru.MaxSurge.String(), "1"},
		{"grace period", *pod.TerminationGracePeriodSeconds, int64(30)},
		{"container name", c.Name, "app"},
		{"image", c.Image, "ko://" + app},
		{"port", c.Ports[0].ContainerPort, int32(80)},
		{"port name", c.Ports[0].Name, "http"},
		{"env", len(c.Env), 0},
		{"namespace", dep.Namespace + svc.Namespace, ""},
		{"liveness", c.LivenessProbe.HTTPGet.Path + " " + c.LivenessProbe.HTTPGet.Port.String(), "/healthz http"},
		{"readiness", c.ReadinessProbe.HTTPGet.Path + " " + c.ReadinessProbe.HTTPGet.Port.String(), "/readyz http"},
		{"cpu request", c.Resources.Requests.Cpu().String(), "50m"},
		{"memory request", c.Resources.Requests.Memory().String(), "32Mi"},
		{"memory limit", c.Resources.Limits.Memory().String(), "128Mi"},
		{"cpu limit", c.Resources.Limits.Cpu().IsZero(), true},
		{"runAsNonRoot", *psc.RunAsNonRoot, true},
		{"runAsUser", *psc.RunAsUser, int64(65532)},
		{"runAsGroup", *psc.RunAsGroup, int64(65532)},
		{"seccomp", string(psc.SeccompProfile.Type), "RuntimeDefault"},
		{"allowPrivilegeEscalation", *sc.AllowPrivilegeEscalation, false},
		{"readOnlyRootFilesystem", *sc.ReadOnlyRootFilesystem, true},
		{"drop", slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}), true},
		{"add", slices.Equal(sc.Capabilities.Add, []corev1.Capability{"NET_BIND_SERVICE"}), true},
		{"service kind", svc.APIVersion + " " + svc.Kind, "v1 Service"},
		{"service name", svc.Name, "app"},
		{"service selector", svc.Spec.Selector[manifests.NameLabel], "app"},
		{"service ports", len(svc.Spec.Ports), 1},
		{"service port", svc.Spec.Ports[0].Port, int32(80)},
		{"service target", svc.Spec.Ports[0].TargetPort.String(), "http"},
	}
}

// TestAnyService generates for services that are not the sample app: their
// own port, probes only when asked for, their own name and namespace.
func TestAnyService(t *testing.T) {
	const svcPath = "example.com/podinfo/cmd/podinfo"
	t.Run("port without probes", func(t *testing.T) {
		dep, svc, _ := decode(t, manifests.Options{ImportPath: svcPath, Replicas: 1, Port: 9898})
		c := dep.Spec.Template.Spec.Containers[0]
		if c.Ports[0].ContainerPort != 9898 || svc.Spec.Ports[0].Port != 9898 || svc.Spec.Ports[0].TargetPort.String() != "http" {
			t.Errorf("ports %v, service %v; want 9898", c.Ports, svc.Spec.Ports)
		}
		if c.LivenessProbe != nil || c.ReadinessProbe != nil || len(c.Env) != 0 {
			t.Errorf("probes %v %v, env %v; want none", c.LivenessProbe, c.ReadinessProbe, c.Env)
		}
	})
	t.Run("one probe path, name and namespace", func(t *testing.T) {
		dep, svc, _ := decode(t, manifests.Options{ImportPath: svcPath, Replicas: 3, Port: 8080, ProbePath: "/status", Name: "web", Namespace: "shop"})
		c := dep.Spec.Template.Spec.Containers[0]
		if c.LivenessProbe.HTTPGet.Path != "/status" || c.ReadinessProbe.HTTPGet.Path != "/status" {
			t.Errorf("probes %v %v, want /status for both", c.LivenessProbe, c.ReadinessProbe)
		}
		if dep.Name != "web" || svc.Name != "web" || dep.Namespace != "shop" || svc.Namespace != "shop" || c.Name != "web" ||
			dep.Spec.Selector.MatchLabels[manifests.NameLabel] != "web" || svc.Spec.Selector[manifests.NameLabel] != "web" {
			t.Errorf("names %s/%s/%s, namespaces %s/%s; want web in shop", dep.Name, svc.Name, c.Name, dep.Namespace, svc.Namespace)
		}
	})
	t.Run("no port: no Service", func(t *testing.T) {
		out, err := manifests.YAML(manifests.Options{ImportPath: svcPath, Replicas: 1})
		if err != nil {
			t.Fatal(err)
		}
		var dep appsv1.Deployment
		if err := yaml.UnmarshalStrict(out, &dep); err != nil {
			t.Fatalf("want one Deployment document: %v\n%s", err, out)
		}
		if c := dep.Spec.Template.Spec.Containers[0]; dep.Kind != "Deployment" || len(c.Ports) != 0 || c.LivenessProbe != nil {
			t.Errorf("got %s with ports %v", dep.Kind, c.Ports)
		}
	})
}

// TestRestricted runs the pod template through the Kubernetes Pod Security
// admission checks at the restricted level, the code the API server runs,
// and checks the evaluator does refuse a weakened copy so a pass means
// something.
func TestRestricted(t *testing.T) {
	eval, err := policy.NewEvaluator(policy.DefaultChecks())
	if err != nil {
		t.Fatal(err)
	}
	restricted := psapi.LevelVersion{Level: psapi.LevelRestricted, Version: psapi.LatestVersion()}
	cases := []struct {
		name    string
		weaken  func(*corev1.PodSpec)
		allowed bool
	}{
		{"as generated", func(*corev1.PodSpec) {}, true},
		{"privilege escalation allowed", func(p *corev1.PodSpec) {
			yes := true
			p.Containers[0].SecurityContext.AllowPrivilegeEscalation = &yes
		}, false},
		{"capabilities kept", func(p *corev1.PodSpec) { p.Containers[0].SecurityContext.Capabilities.Drop = nil }, false},
		{"no seccomp profile", func(p *corev1.PodSpec) { p.SecurityContext.SeccompProfile = nil }, false},
		{"may run as root", func(p *corev1.PodSpec) { p.SecurityContext.RunAsNonRoot = nil }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dep, _, _ := decode(t, appOpts)
			tmpl := dep.Spec.Template
			tc.weaken(&tmpl.Spec)
			res := policy.AggregateCheckResults(eval.EvaluatePod(restricted, &tmpl.ObjectMeta, &tmpl.Spec))
			if res.Allowed != tc.allowed {
				t.Errorf("restricted allowed = %v, want %v: %s", res.Allowed, tc.allowed, res.ForbiddenDetail())
			}
		})
	}
}

func TestOptions(t *testing.T) {
	cases := []struct {
		name       string
		importPath string
		replicas   int32
		wantName   string
		err        string
	}{
		{"one replica", "example.com/svc/cmd/api", 1, "api", ""},
		{"scaled to zero", "example.com/svc/cmd/api", 0, "api", ""},
		{"upper case lowered like the image", "example.com/svc/cmd/Worker", 3, "worker", ""},
		{"negative replicas", "example.com/svc/cmd/api", -1, "", "invalid replicas"},
		{"name starting with a digit", "example.com/svc/cmd/2fa", 2, "", "not a valid Kubernetes Service name"},
		{"underscore", "example.com/svc/cmd/my_app", 2, "", "not a valid Kubernetes Service name"},
	}
	bad := []struct {
		opts manifests.Options
		err  string
	}{
		{manifests.Options{ImportPath: app, Name: "Web_1"}, "invalid --name"},
		{manifests.Options{ImportPath: app, Namespace: "a.b"}, "invalid namespace"},
		{manifests.Options{ImportPath: app, ProbePath: "/healthz"}, "probes need a port"},
		{manifests.Options{ImportPath: app, Port: 80, ProbePath: "healthz"}, "invalid probe path"},
		{manifests.Options{ImportPath: app, Port: 70000}, "invalid port"},
	}
	for _, b := range bad {
		if _, err := manifests.YAML(b.opts); err == nil || !strings.Contains(err.Error(), b.err) {
			t.Errorf("YAML(%+v) err = %v, want one containing %q", b.opts, err, b.err)
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := manifests.Options{ImportPath: tc.importPath, Replicas: tc.replicas, Port: 80}
			if tc.err != "" {
				if _, err := manifests.YAML(opts); err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				return
			}
			dep, svc, _ := decode(t, opts)
			if dep.Name != tc.wantName || svc.Name != tc.wantName || *dep.Spec.Replicas != tc.replicas {
				t.Errorf("names %q/%q, replicas %d; want %q and %d", dep.Name, svc.Name, *dep.Spec.Replicas, tc.wantName, tc.replicas)
			}
			if dep.Spec.Template.Spec.Containers[0].Image != "ko://"+tc.importPath {
				t.Errorf("image = %q", dep.Spec.Template.Spec.Containers[0].Image)
			}
		})
	}
}
