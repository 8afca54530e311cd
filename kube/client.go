package kube

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
)

// DefaultFieldManager owns the fields hoist applies.
const DefaultFieldManager = "hoist"

// Options configure a Client.
type Options struct {
	// Namespace receives the namespaced objects that name none; "default"
	// when empty.
	Namespace string
	// EnforceNamespace refuses objects that name a namespace other than
	// Namespace, for when the user chose Namespace explicitly: applying
	// somewhere else than asked is worse than not applying.
	EnforceNamespace bool
	// FieldManager owns the applied fields; DefaultFieldManager when empty.
	FieldManager string
	// Logger receives the server's warnings and rollout progress.
	Logger *slog.Logger
}

// Client talks to one cluster.
type Client struct {
	dyn    dynamic.Interface
	mapper meta.RESTMapper
	opts   Options
}

// New makes a Client for the cluster cfg points at. Nothing is sent until
// the first call.
func New(cfg *rest.Config, opts Options) (*Client, error) {
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	if opts.FieldManager == "" {
		opts.FieldManager = DefaultFieldManager
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	cfg = rest.CopyConfig(cfg)
	// client-go would print warnings through klog; the caller's logger
	// keeps them with the rest of the output.
	cfg.WarningHandlerWithContext = warnings{opts.Logger}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the cluster: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to the cluster: %w", err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))
	return &Client{dyn: dyn, mapper: mapper, opts: opts}, nil
}

type warnings struct{ log *slog.Logger }

func (w warnings) HandleWarningHeaderWithContext(ctx context.Context, _ int, _ string, msg string) {
	w.log.WarnContext(ctx, msg)
}

// Object is a manifest object mapped to its API resource, its namespace
// settled.
type Object struct {
	*unstructured.Unstructured
	mapping *meta.RESTMapping
}

// Ref names the object as kubectl prints it: deployment.apps/app,
// service/app.
func (o Object) Ref() string {
	gvk := o.GroupVersionKind()
	kind := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		kind += "." + gvk.Group
	}
	return kind + "/" + o.GetName()
}

// Map resolves every object's kind to its API resource through discovery
// and gives namespaced objects without a namespace the client's, so that a
// kind the cluster does not serve, or a namespace mismatch, fails before
// anything is applied. Cluster-scoped objects lose any namespace they state.
func (c *Client) Map(objs []*unstructured.Unstructured) ([]Object, error) {
	out := make([]Object, 0, len(objs))
	for _, u := range objs {
		o := Object{Unstructured: u.DeepCopy()}
		gvk := u.GroupVersionKind()
		m, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			if meta.IsNoMatchError(err) {
				return nil, fmt.Errorf("mapping %s: the cluster serves no kind %s in %s", o.Ref(), gvk.Kind, gvk.GroupVersion())
			}
			return nil, fmt.Errorf("mapping %s: %w", o.Ref(), err)
		}
		o.mapping = m
		if err := c.settleNamespace(o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

func (c *Client) settleNamespace(o Object) error {
	if o.mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		o.SetNamespace("")
		return nil
	}
	switch ns := o.GetNamespace(); {
	case ns == "":
		o.SetNamespace(c.opts.Namespace)
	case c.opts.EnforceNamespace && ns != c.opts.Namespace:
		return fmt.Errorf("mapping %s: it names namespace %q but %q was asked for", o.Ref(), ns, c.opts.Namespace)
	}
	return nil
}

func (c *Client) resource(o Object) dynamic.ResourceInterface {
	r := c.dyn.Resource(o.mapping.Resource)
	if ns := o.GetNamespace(); ns != "" {
		return r.Namespace(ns)
	}
	return r
}
