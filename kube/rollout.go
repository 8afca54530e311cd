package kube

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// deploymentStatus reports whether a Deployment has rolled out, by the
// rules of `kubectl rollout status`: the controller has seen the latest
// spec, every replica runs the new template and is available, and no old
// replica is left. msg says what is still awaited. A Deployment past its
// progress deadline, or paused, will not finish by waiting: an error.
func deploymentStatus(d *appsv1.Deployment) (msg string, done bool, err error) {
	if d.Spec.Paused {
		return "", false, fmt.Errorf("deployment %q is paused: it will not roll out until resumed", d.Name)
	}
	if d.Generation > d.Status.ObservedGeneration {
		return "waiting for the controller to observe the new spec", false, nil
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Status == corev1.ConditionFalse && c.Reason == "ProgressDeadlineExceeded" {
			return "", false, fmt.Errorf("deployment %q exceeded its progress deadline: %s", d.Name, c.Message)
		}
	}
	want := int32(1)
	if d.Spec.Replicas != nil {
		want = *d.Spec.Replicas
	}
	st := d.Status
	switch {
	case st.UpdatedReplicas < want:
		return fmt.Sprintf("%d of %d new replicas updated", st.UpdatedReplicas, want), false, nil
	case st.Replicas > st.UpdatedReplicas:
		return fmt.Sprintf("%d old replicas pending termination", st.Replicas-st.UpdatedReplicas), false, nil
	case st.AvailableReplicas < st.UpdatedReplicas:
		return fmt.Sprintf("%d of %d updated replicas available", st.AvailableReplicas, st.UpdatedReplicas), false, nil
	}
	return "rolled out", true, nil
}
