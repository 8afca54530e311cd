package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/hoist-build/hoist/containerd"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/resolve"
)

// localPublisher returns the destination for a containerd.local or
// kind.local repository, or nil for any other.
func (s *settings) localPublisher(log *slog.Logger) (publish.Publisher, error) {
	d := s.dest
	switch {
	case containerd.IsRepo(d.repo):
		return containerd.New(containerd.Options{Repo: d.repo, Bare: d.bare, Tags: d.tags, Address: d.containerdAddress, Namespace: d.containerdNamespace, Logger: log})
	case d.repo == containerd.KindHost || strings.HasPrefix(d.repo, containerd.KindHost+"/"):
		if d.repo != containerd.KindHost {
			return nil, fmt.Errorf("invalid repository %q: kind.local takes no path, images are named kind.local/NAME", d.repo)
		}
		bin, err := exec.LookPath("kind")
		if err != nil {
			return nil, fmt.Errorf("%s loads images into a kind cluster's nodes with the kind CLI, which is not on PATH: install kind, or use --repo %s for a containerd on this machine", d.repo, containerd.Host)
		}
		return containerd.NewKind(bin, d.kindCluster, os.TempDir(), d.tags, log)
	}
	return nil, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// isLocalRepo tells whether images for repo are loaded into a node's
// runtime rather than pushed.
func isLocalRepo(repo string) bool {
	return containerd.IsRepo(repo) || repo == containerd.KindHost || strings.HasPrefix(repo, containerd.KindHost+"/")
}

// checkLocalPulls refuses, before anything is built, a container whose
// ko:// image is to be loaded into the node's runtime but that says
// imagePullPolicy: Always: the kubelet would try to pull it from a
// registry that does not exist and the pod would never start.
func checkLocalPulls(objs []*unstructured.Unstructured, repo string) error {
	if !isLocalRepo(repo) {
		return nil
	}
	for _, o := range objs {
		if err := walkContainers(o.Object, func(c map[string]any) error {
			image, _ := c["image"].(string)
			if policy, _ := c["imagePullPolicy"].(string); policy == "Always" && strings.HasPrefix(image, resolve.Scheme) {
				return fmt.Errorf("%s %s, container %v: imagePullPolicy Always would pull %s from a registry, but --repo %s loads it into the node's runtime: remove imagePullPolicy or set IfNotPresent",
					o.GetKind(), o.GetName(), c["name"], image, repo)
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// walkContainers calls fn for every container and init container of any
// pod spec in v, whatever kind holds it (Pod, Deployment, CronJob, …).
func walkContainers(v any, fn func(map[string]any) error) error {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			if list, ok := child.([]any); ok && (k == "containers" || k == "initContainers" || k == "ephemeralContainers") {
				for _, c := range list {
					if cm, ok := c.(map[string]any); ok {
						if err := fn(cm); err != nil {
							return err
						}
					}
				}
				continue
			}
			if err := walkContainers(child, fn); err != nil {
				return err
			}
		}
	case []any:
		for _, child := range x {
			if err := walkContainers(child, fn); err != nil {
				return err
			}
		}
	}
	return nil
}
