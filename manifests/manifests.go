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
	// ImportPath is the main package's full import path; its last element
	// names the objects, as it names the image.
	ImportPath string
	Replicas   int32
}

const (
	// Port is where the image listens and what it exposes.
	Port = 80
	// PortName lets probes and the Service follow the port by name.
	PortName = "http"
	// NameLabel selects the pods; it is the recommended app label.
	NameLabel = "app.kubernetes.io/name"
	// ShutdownGrace is the app's drain time, set explicitly on the
	// container so the file states both halves of the shutdown budget.
	ShutdownGrace = 10 * time.Second
	// TerminationGrace leaves the drain 5 s of margin before SIGKILL.
	TerminationGrace = ShutdownGrace + 5*time.Second
)

// Name is the objects' name, the image name; it must be a valid Service
// name (an RFC 1035 label), the strictest name among the objects.
func Name(importPath string) (string, error) {
	name := publish.ImageName(importPath)
	if errs := validation.IsDNS1035Label(name); len(errs) > 0 {
		return "", fmt.Errorf("naming the objects for %s: %q is not a valid Kubernetes Service name: %s", importPath, name, strings.Join(errs, "; "))
	}
	return name, nil
}

// Deployment runs Replicas pods of the image and replaces them one at a
// time without ever going below Replicas ready pods.
func Deployment(opts Options) (*appsv1.Deployment, error) {
	name, err := Name(opts.ImportPath)
	if err != nil {
		return nil, err
	}
	if opts.Replicas < 0 {
		return nil, fmt.Errorf("invalid replicas %d: want 0 or more", opts.Replicas)
	}
	labels := map[string]string{NameLabel: name}
	zero, one := intstr.FromInt32(0), intstr.FromInt32(1)
	grace := int64(TerminationGrace / time.Second)
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
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
					Containers:                    []corev1.Container{container(name, opts.ImportPath)},
				},
			},
		},
	}, nil
}

func container(name, importPath string) corev1.Container {
	probe := func(path string) *corev1.Probe {
		return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
			HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.FromString(PortName)},
		}}
	}
	no, yes := false, true
	return corev1.Container{
		Name:  name,
		Image: resolve.Scheme + importPath,
		Ports: []corev1.ContainerPort{{Name: PortName, ContainerPort: Port, Protocol: corev1.ProtocolTCP}},
		Env:   []corev1.EnvVar{{Name: "SHUTDOWN_GRACE", Value: ShutdownGrace.String()}},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{
				corev1.ResourceCPU:    resource.MustParse("50m"),
				corev1.ResourceMemory: resource.MustParse("32Mi"),
			},
			Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
		},
		LivenessProbe:  probe("/healthz"),
		ReadinessProbe: probe("/readyz"),
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: &no,
			ReadOnlyRootFilesystem:   &yes,
			// The binary's file capability grants NET_BIND_SERVICE only if
			// the bounding set still holds it.
			Capabilities: &corev1.Capabilities{
				Drop: []corev1.Capability{"ALL"},
				Add:  []corev1.Capability{"NET_BIND_SERVICE"},
			},
		},
	}
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

// Service sends port 80 to the pods' http port.
func Service(opts Options) (*corev1.Service, error) {
	name, err := Name(opts.ImportPath)
	if err != nil {
		return nil, err
	}
	labels := map[string]string{NameLabel: name}
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
		Spec: corev1.ServiceSpec{
			Selector: labels,
			Ports: []corev1.ServicePort{{
				Name: PortName, Port: Port, TargetPort: intstr.FromString(PortName), Protocol: corev1.ProtocolTCP,
			}},
		},
	}, nil
}

// YAML is the Deployment and the Service as one two-document stream.
func YAML(opts Options) ([]byte, error) {
	dep, err := Deployment(opts)
	if err != nil {
		return nil, err
	}
	svc, err := Service(opts)
	if err != nil {
		return nil, err
	}
	var out []byte
	for i, obj := range []any{dep, svc} {
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
