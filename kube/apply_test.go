package kube

import (
	"errors"
	"fmt"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestApplyErrorMessage(t *testing.T) {
	deployments := schema.GroupKind{Group: "apps", Kind: "Deployment"}
	invalid := apierrors.NewInvalid(deployments, "app", field.ErrorList{
		field.Invalid(field.NewPath("spec", "replicas"), -1, "must be greater than or equal to 0"),
		field.Required(field.NewPath("spec", "selector"), ""),
	})
	conflict := apierrors.NewApplyConflict(nil, `Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas`)
	cases := []struct {
		name string
		err  *ApplyError
		want string
	}{
		{
			"field causes, nothing before",
			&ApplyError{Ref: "deployment.apps/app", Err: invalid},
			"applying deployment.apps/app: spec.replicas: Invalid value: -1: must be greater than or equal to 0; spec.selector: Required value; nothing was applied before it",
		},
		{
			"objects applied before",
			&ApplyError{Ref: "deployment.apps/app", Applied: []string{"namespace/x", "service/app"}, Err: invalid},
			"applying deployment.apps/app: spec.replicas: Invalid value: -1: must be greater than or equal to 0; spec.selector: Required value; applied before it: namespace/x, service/app",
		},
		{
			"conflict suggests the flag",
			&ApplyError{Ref: "service/app", Err: conflict},
			`applying service/app: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas (--force-conflicts takes these fields over); nothing was applied before it`,
		},
		{
			"not from the server",
			&ApplyError{Ref: "service/app", Err: fmt.Errorf("dial tcp 127.0.0.1:1: connection refused")},
			"applying service/app: dial tcp 127.0.0.1:1: connection refused; nothing was applied before it",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("message:\n%s\nwant:\n%s", got, tc.want)
			}
			if !errors.Is(tc.err, tc.err.Err) {
				t.Error("the server's error is not wrapped")
			}
		})
	}
}
