package manifests

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"

	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/resolve"
)

// Options describe the service.
type Options struct {
	// ImportPath is the main package's full import path; the image.
	ImportPath string
	// Name names the objects; empty means the image name (the import
	// path's last element, as the image is named).
	Name string
	// Namespace, when set, is written into both objects.
	Namespace string
	Replicas  int32
	// Port is the container port the service listens on, as the image
	// exposes it; 0 means none: no port, no probes and no Service.
	Port int32
	// ProbePath, when set, is the HTTP path of the liveness and readiness
	// probes; ReadinessPath, when set, overrides the readiness one. With
	// neither there are no probes: a probe of a path the service does not
	// serve would restart it forever.
	ProbePath, ReadinessPath string
}

const (
	// PortName lets probes and the Service follow the port by name.
	PortName = "http"
	// NameLabel selects the pods; it is the recommended app label.
	NameLabel = "app.kubernetes.io/name"
	// TerminationGrace is Kubernetes' default, stated so the file shows
	// the time a pod has to drain after SIGTERM.
	TerminationGrace = 30 * time.Second
)

// Name is the objects' name; it must be a valid Service name (an RFC 1035
// label), the strictest name among the objects.
func Name(importPath string) (string, error) {
	return checkName(publish.ImageName(importPath), "naming the objects for "+importPath, "pass --name")
}

func checkName(name, what, fix string) (string, error) {
	if errs := validation.IsDNS1035Label(name); len(errs) > 0 {
		return "", fmt.Errorf("%s: %q is not a valid Kubernetes Service name: %s; %s", what, name, strings.Join(errs, "; "), fix)
	}
	return name, nil
}

// check validates opts and returns the objects' name.
func (o Options) check() (string, error) {
	name, err := Name(o.ImportPath)
	if o.Name != "" {
		name, err = checkName(o.Name, "invalid --name", "use lower-case letters, digits and '-', starting with a letter")
	}
	if err != nil {
		return "", err
	}
	if errs := validation.IsDNS1123Label(o.Namespace); o.Namespace != "" && len(errs) > 0 {
		return "", fmt.Errorf("invalid namespace %q: %s", o.Namespace, strings.Join(errs, "; "))
	}
	switch {
	case o.Replicas < 0:
		return "", fmt.Errorf("invalid replicas %d: want 0 or more", o.Replicas)
	case o.Port < 0 || o.Port > 65535:
		return "", fmt.Errorf("invalid port %d: want 1-65535, or 0 for none", o.Port)
	case o.Port == 0 && (o.ProbePath != "" || o.ReadinessPath != ""):
		return "", fmt.Errorf("probes need a port: set --port (or port in .hoist.yaml)")
	}
	for _, p := range []string{o.ProbePath, o.ReadinessPath} {
		if p != "" && !strings.HasPrefix(p, "/") {
			return "", fmt.Errorf("invalid probe path %q: want an absolute HTTP path such as /healthz", p)
		}
	}
	return name, nil
}

func (o Options) meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: o.Namespace, Labels: map[string]string{NameLabel: name}}
}

// Deployment runs Replicas pods of the image and replaces them one at a
// time without ever going below Replicas ready pods.
func Deployment(opts Options) (*appsv1.Deployment, error) {
	name, err := opts.check()
	if err != nil {
		return nil, err
	}
	labels := map[string]string{NameLabel: name}
	zero, one := intstr.FromInt32(0), intstr.FromInt32(1)
	grace := int64(TerminationGrace / time.Second)
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: opts.meta(name),
		Spec: appsv1.DeploymentSpec{
			Replicas: &opts.Replicas,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Strategy: appsv1.DeploymentStrategy{
				Type:          appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &zero, MaxSurge: &one},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					TerminationGracePeriodSeconds: &grace,
					SecurityContext:               podSecurity(),
					Containers:                    []corev1.Container{container(name, opts)},
				},
			},
		},
	}, nil
}

func probe(path string) *corev1.Probe {
	if path == "" {
		return nil
	}
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
		HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString(PortName)},
	}}
}

func container(name string, opts Options) corev1.Container {
	no, yes := false, true
	c := corev1.Container{
		Name:  name,
		Image: resolve.Scheme + opts.ImportPath,
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("50m"),
				corev1.ResourceMemory: resource.MustParse("32Mi"),
			},
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
		},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: &no,
			ReadOnlyRootFilesystem:   &yes,
			// The binary's file capability grants NET_BIND_SERVICE only if
			// the bounding set still holds it; without it the binary
			// cannot even start, whatever port it uses.
			Capabilities: &corev1.Capabilities{
				Drop: []corev1.Capability{"ALL"},
				Add:  []corev1.Capability{"NET_BIND_SERVICE"},
			},
		},
	}
	if opts.Port != 0 {
		c.Ports = []corev1.ContainerPort{{Name: PortName, ContainerPort: opts.Port, Protocol: corev1.ProtocolTCP}}
		readiness := opts.ReadinessPath
		if readiness == "" {
			readiness = opts.ProbePath
		}
		c.LivenessProbe, c.ReadinessProbe = probe(opts.ProbePath), probe(readiness)
	}
	return c
}

// podSecurity states the image's user again so the restricted policy can
// check it without trusting the image config.
func podSecurity() *corev1.PodSecurityContext {
	uid := int64(layers.NonRoot)
	yes := true
	return &corev1.PodSecurityContext{
		RunAsNonRoot:   &yes,
		RunAsUser:      &uid,
		RunAsGroup:     &uid,
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// Service sends the port to the pods' http port.
func Service(opts Options) (*corev1.Service, error) {
	name, err := opts.check()
	if err != nil {
		return nil, err
	}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: opts.meta(name),
		Spec: corev1.ServiceSpec{
			Selector: map[string]string{NameLabel: name},
			Ports: []corev1.ServicePort{{
				Name: PortName, Port: opts.Port, TargetPort: intstr.FromString(PortName), Protocol: corev1.ProtocolTCP,
			}},
		},
	}, nil
}

// YAML is the Deployment and, when there is a port, the Service, as one
// YAML stream.
func YAML(opts Options) ([]byte, error) {
	dep, err := Deployment(opts)
	if err != nil {
		return nil, err
	}
	objs := []any{dep}
	if opts.Port != 0 {
		svc, err := Service(opts)
		if err != nil {
			return nil, err
		}
		objs = append(objs, svc)
	}
	var out []byte
	for i, obj := range objs {
		doc, err := marshal(obj)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, "---\n"...)
		}
		out = append(out, doc...)
	}
	return out, nil
}

// marshal drops the empty status the API types always carry: a manifest
// states the desired state, and kubectl would ignore it anyway.
func marshal(obj any) ([]byte, error) {
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(j, &m); err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	delete(m, "status")
	out, err := yaml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	return out, nil
}
