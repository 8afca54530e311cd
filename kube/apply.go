package kube

import (
	"context"
	"errors"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Action is what happened to an object, in kubectl's words. Each
// operation declares the ones it reports.
type Action string

// What Apply reports: the server's resourceVersion moved, or it did not.
const (
	Applied   Action = "serverside-applied"
	Unchanged Action = "unchanged"
)

// Result is one object's outcome, printed as kubectl prints it.
type Result struct {
	Ref    string
	Action Action
}

func (r Result) String() string { return r.Ref + " " + string(r.Action) }

// ApplyOptions tune Apply.
type ApplyOptions struct {
	// Force takes over fields another manager owns instead of failing on
	// the conflict.
	Force bool
	// Report, when set, hears of each object as soon as it is applied.
	Report func(Result)
}

// Apply server-side applies the objects in order and reports each one. It
// stops at the first failure with an *ApplyError naming the object, the
// fields the server objected to and the objects already applied.
func (c *Client) Apply(ctx context.Context, objs []Object, opts ApplyOptions) error {
	var applied []string
	for _, o := range objs {
		action, err := c.apply(ctx, o, opts.Force)
		if err != nil {
			return &ApplyError{Ref: o.Ref(), Applied: applied, Err: err}
		}
		applied = append(applied, o.Ref())
		if opts.Report != nil {
			opts.Report(Result{Ref: o.Ref(), Action: action})
		}
	}
	return nil
}

// apply reads the object before applying it: an unchanged resourceVersion
// afterwards is the server's own word that the apply was a no-op.
func (c *Client) apply(ctx context.Context, o Object, force bool) (Action, error) {
	r := c.resource(o)
	before, err := r.Get(ctx, o.GetName(), metav1.GetOptions{})
	switch {
	case apierrors.IsNotFound(err):
		before = nil
	case err != nil:
		return "", err
	}
	after, err := r.Apply(ctx, o.GetName(), o.Unstructured, metav1.ApplyOptions{FieldManager: c.opts.FieldManager, Force: force})
	if err != nil {
		return "", err
	}
	if before != nil && before.GetResourceVersion() == after.GetResourceVersion() {
		return Unchanged, nil
	}
	return Applied, nil
}

// ApplyError is an object that could not be applied.
type ApplyError struct {
	// Ref names the object, as in Result.
	Ref string
	// Applied names the objects applied before it, in order.
	Applied []string
	Err     error
}

func (e *ApplyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "applying %s: %s", e.Ref, reason(e.Err))
	if apierrors.IsConflict(e.Err) {
		b.WriteString(" (--force-conflicts takes these fields over)")
	}
	switch len(e.Applied) {
	case 0:
		b.WriteString("; nothing was applied before it")
	default:
		fmt.Fprintf(&b, "; applied before it: %s", strings.Join(e.Applied, ", "))
	}
	return b.String()
}

func (e *ApplyError) Unwrap() error { return e.Err }

// reason says why the server refused a request. A validation failure's
// status message repeats the kind and name around a bracketed list; its
// causes name each field alone, which is what a user has to fix.
func reason(err error) string {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return err.Error()
	}
	s := status.Status()
	if s.Details == nil || len(s.Details.Causes) == 0 {
		return s.Message
	}
	causes := make([]string, 0, len(s.Details.Causes))
	for _, c := range s.Details.Causes {
		switch {
		case c.Field == "":
			causes = append(causes, c.Message)
		default:
			causes = append(causes, c.Field+": "+c.Message)
		}
	}
	return strings.Join(causes, "; ")
}
