package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// What Delete reports: the object was deleted, or was already gone.
const (
	Deleted  Action = "deleted"
	NotFound Action = "not found"
)

// DeleteOptions tune Delete.
type DeleteOptions struct {
	// IgnoreNotFound counts an object already gone as deleted.
	IgnoreNotFound bool
	// Wait waits until the deleted objects are gone, not only marked.
	Wait bool
	// Report, when set, hears of each object as soon as it is deleted.
	Report func(Result)
}

// Delete deletes the objects in reverse order, so a namespace or other
// object listed first, that the rest live in or depend on, goes last. Their
// dependents (a Deployment's ReplicaSets and pods) are left to the garbage
// collector in the background, as kubectl does. An object already gone is
// reported and, unless IgnoreNotFound, makes the run fail once the others
// are deleted; any other failure stops the run at once.
func (c *Client) Delete(ctx context.Context, objs []Object, opts DeleteOptions) error {
	report := func(r Result) {
		if opts.Report != nil {
			opts.Report(r)
		}
	}
	background := metav1.DeletePropagationBackground
	var gone []Object
	var uids []types.UID
	var missing []string
	for _, o := range slices.Backward(objs) {
		r := c.resource(o)
		u, err := r.Get(ctx, o.GetName(), metav1.GetOptions{})
		if err == nil {
			precondition := metav1.Preconditions{UID: ptr(u.GetUID())}
			err = r.Delete(ctx, o.GetName(), metav1.DeleteOptions{PropagationPolicy: &background, Preconditions: &precondition})
		}
		switch {
		case apierrors.IsNotFound(err):
			missing = append(missing, o.Ref())
			report(Result{Ref: o.Ref(), Action: NotFound})
			continue
		case err != nil:
			return fmt.Errorf("deleting %s: %s", o.Ref(), reason(err))
		}
		gone, uids = append(gone, o), append(uids, u.GetUID())
		report(Result{Ref: o.Ref(), Action: Deleted})
	}
	if opts.Wait {
		if err := c.waitGone(ctx, gone, uids); err != nil {
			return err
		}
	}
	if len(missing) > 0 && !opts.IgnoreNotFound {
		return fmt.Errorf("deleting: not found: %s (--ignore-not-found accepts that)", strings.Join(missing, ", "))
	}
	return nil
}

func ptr[T any](v T) *T { return &v }
