package kube

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

func TestDeploymentStatus(t *testing.T) {
	three := int32(3)
	dep := func(gen, observed int64, st appsv1.DeploymentStatus) *appsv1.Deployment {
		d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "app", Generation: gen}, Spec: appsv1.DeploymentSpec{Replicas: &three}}
		st.ObservedGeneration = observed
		d.Status = st
		return d
	}
	deadline := appsv1.DeploymentCondition{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded", Message: "ReplicaSet has timed out progressing."}
	paused := dep(2, 2, appsv1.DeploymentStatus{})
	paused.Spec.Paused = true
	cases := []struct {
		name    string
		d       *appsv1.Deployment
		done    bool
		msg     string
		wantErr string
	}{
		{"spec not yet observed", dep(2, 1, appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 3}), false, "observe the new spec", ""},
		{"new replicas being created", dep(2, 2, appsv1.DeploymentStatus{Replicas: 4, UpdatedReplicas: 1, AvailableReplicas: 3}), false, "1 of 3 new replicas updated", ""},
		{"old replicas still there", dep(2, 2, appsv1.DeploymentStatus{Replicas: 4, UpdatedReplicas: 3, AvailableReplicas: 3}), false, "1 old replicas pending termination", ""},
		{"new replicas not yet available", dep(2, 2, appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 2}), false, "2 of 3 updated replicas available", ""},
		{"rolled out", dep(2, 2, appsv1.DeploymentStatus{Replicas: 3, UpdatedReplicas: 3, AvailableReplicas: 3}), true, "rolled out", ""},
		{"progress deadline exceeded", dep(2, 2, appsv1.DeploymentStatus{Conditions: []appsv1.DeploymentCondition{deadline}}), false, "", "exceeded its progress deadline"},
		{"paused", paused, false, "", "paused"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg, done, err := deploymentStatus(tc.d)
			if hoisttest.WantError(t, err, tc.wantErr) {
				return
			}
			if done != tc.done || !strings.Contains(msg, tc.msg) {
				t.Errorf("= %q, %v; want one containing %q, %v", msg, done, tc.msg, tc.done)
			}
		})
	}
}
