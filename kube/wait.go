package kube

import (
	"context"
	"errors"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
)

// RolledOut is what Wait reports of a Deployment whose new replicas are all
// updated and available.
const RolledOut Action = "rolled out"

// pollInterval is how often a waited-for object is read again: cheap for
// the server, and short next to a pod's start-up.
const pollInterval = 500 * time.Millisecond

// Wait waits until every Deployment among objs has rolled out (see
// deploymentStatus), reporting each as it does; other kinds are ready once
// applied. The caller bounds the wait through ctx; when it ends first the
// error says what the Deployment was still waiting for.
func (c *Client) Wait(ctx context.Context, objs []Object, report func(Result)) error {
	for _, o := range objs {
		if o.GroupVersionKind().GroupKind() != (appsv1.SchemeGroupVersion.WithKind("Deployment").GroupKind()) {
			continue
		}
		if err := c.waitDeployment(ctx, o); err != nil {
			return err
		}
		if report != nil {
			report(Result{Ref: o.Ref(), Action: RolledOut})
		}
	}
	return nil
}

func (c *Client) waitDeployment(ctx context.Context, o Object) error {
	r := c.resource(o)
	last := "waiting for the first read"
	err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
		u, err := r.Get(ctx, o.GetName(), metav1.GetOptions{})
		if err != nil {
			return false, fatal(err)
		}
		var d appsv1.Deployment
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &d); err != nil {
			return false, fmt.Errorf("decoding %s: %w", o.Ref(), err)
		}
		msg, done, err := deploymentStatus(&d)
		if err == nil && msg != last {
			c.opts.Logger.InfoContext(ctx, "waiting for rollout", "object", o.Ref(), "status", msg)
			last = msg
		}
		return done, err
	})
	if ctx.Err() != nil {
		// The client's own error would blame its rate limiter.
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("waiting for %s to roll out (last: %s): %w", o.Ref(), last, err)
	}
	return nil
}

// waitGone waits until each object is gone, or replaced by a new one of
// the same name (a new UID), as `kubectl delete --wait` does.
func (c *Client) waitGone(ctx context.Context, objs []Object, uids []types.UID) error {
	for i, o := range objs {
		r := c.resource(o)
		err := wait.PollUntilContextCancel(ctx, pollInterval, true, func(ctx context.Context) (bool, error) {
			u, err := r.Get(ctx, o.GetName(), metav1.GetOptions{})
			switch {
			case apierrors.IsNotFound(err):
				return true, nil
			case err != nil:
				return false, fatal(err)
			}
			return u.GetUID() != uids[i], nil
		})
		if err != nil {
			return fmt.Errorf("waiting for %s to be deleted: %w", o.Ref(), err)
		}
	}
	return nil
}

// fatal keeps polling through errors that may pass (a restarting or
// overloaded server) and stops on those that will not.
func fatal(err error) error {
	switch {
	case apierrors.IsNotFound(err), apierrors.IsForbidden(err), apierrors.IsUnauthorized(err),
		errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return nil
}
