package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/hoist-build/hoist/build"
	"github.com/hoist-build/hoist/dev"
	"github.com/hoist-build/hoist/kube"
)

// followLogs streams the pods of every Deployment applied, once each.
func (d *devSession) followLogs(objs []kube.Object) {
	if !d.flags.logs {
		return
	}
	for _, o := range objs {
		if o.GetKind() != "Deployment" {
			continue
		}
		match, _, _ := unstructured.NestedStringMap(o.Object, "spec", "selector", "matchLabels")
		sel := labels.SelectorFromSet(match).String()
		key := o.GetNamespace() + "/" + sel
		if len(match) == 0 || d.follow[key] {
			continue
		}
		d.follow[key] = true
		d.logs.Follow(d.logsCtx, o.GetNamespace(), sel)
	}
}

// rewatch finds the sources of the current import paths and watches them
// and the manifests' directories.
func (d *devSession) rewatch(ctx context.Context, files, paths []string) error {
	d.files, d.paths = files, paths
	tc, err := build.LoadToolchain(ctx, d.opts.Dir, d.opts.Environ)
	if err != nil {
		return err
	}
	sources, err := dev.FindSources(ctx, tc, d.opts.Dir, d.opts.Environ, paths)
	if err != nil {
		return err
	}
	d.sources = sources
	dirs := sources.WatchList()
	for _, f := range files {
		dirs = append(dirs, filepath.Dir(f))
	}
	added, err := d.watcher.Watch(dirs...)
	if err != nil {
		return err
	}
	if d.watched > 0 && added > 0 {
		d.say("now also watching %d new directories", added)
	}
	d.watched += added
	return nil
}

func (d *devSession) deleteApplied(ctx context.Context) error {
	return d.client.Delete(ctx, d.objs, kube.DeleteOptions{IgnoreNotFound: true, Wait: true, Report: reporter(d.stderr)})
}

func sameFile(a, b string) bool {
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}

// describe names a batch of files briefly, relative to the working
// directory where possible.
func describe(files []string) string {
	cwd, _ := os.Getwd()
	names := make([]string, 0, len(files))
	for _, f := range files {
		if rel, err := filepath.Rel(cwd, f); err == nil && !strings.HasPrefix(rel, "..") {
			f = rel
		}
		names = append(names, f)
	}
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + fmt.Sprintf(" and %d more", len(names)-3)
	}
	return strings.Join(names, ", ")
}
