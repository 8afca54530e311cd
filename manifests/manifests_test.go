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

	"github.com/hoist-build/hoist/manifests"
	"github.com/hoist-build/hoist/resolve"
)

const app = "github.com/hoist-build/hoist/app"

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
	dep, svc, out := decode(t, manifests.Options{ImportPath: app, Replicas: 2})
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("got %d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	sc, psc := c.SecurityContext, pod.SecurityContext
	ru := dep.Spec.Strategy.RollingUpdate
	checks := []struct {
		what      string
		got, want any
	}{
		{"deployment kind", dep.APIVersion + " " + dep.Kind, "apps/v1 Deployment"},
		{"deployment name", dep.Name, "app"},
		{"deployment label", dep.Labels[manifests.NameLabel], "app"},
		{"replicas", *dep.Spec.Replicas, int32(2)},
		{"selector", dep.Spec.Selector.MatchLabels[manifests.NameLabel], "app"},
		{"pod label", dep.Spec.Template.Labels[manifests.NameLabel], "app"},
		{"strategy", string(dep.Spec.Strategy.Type), "RollingUpdate"},
		{"maxUnavailable", ru.MaxUnavailable.String(), "0"},
		{"maxSurge", ru.MaxSurge.String(), "1"},
		{"grace period", *pod.TerminationGracePeriodSeconds, int64(15)},
		{"container name", c.Name, "app"},
		{"image", c.Image, "ko://" + app},
		{"port", c.Ports[0].ContainerPort, int32(80)},
		{"port name", c.Ports[0].Name, "http"},
		{"env", envOf(c), "SHUTDOWN_GRACE=10s"},
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
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.what, ck.got, ck.want)
		}
	}
	if strings.Contains(string(out), "status:") || strings.Contains(string(out), "creationTimestamp") {
		t.Errorf("manifest carries status or creationTimestamp:\n%s", out)
	}
	if refs, err := resolve.Refs(out); err != nil || !slices.Equal(refs, []string{app}) {
		t.Errorf("resolve.Refs = %q, %v; want the one image reference %s", refs, err, app)
	}
}

func envOf(c corev1.Container) string {
	var kv []string
	for _, e := range c.Env {
		kv = append(kv, e.Name+"="+e.Value)
	}
	return strings.Join(kv, " ")
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
			dep, _, _ := decode(t, manifests.Options{ImportPath: app, Replicas: 2})
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
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := manifests.Options{ImportPath: tc.importPath, Replicas: tc.replicas}
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
