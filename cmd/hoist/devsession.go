package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

	"github.com/hoist-build/hoist/dev"
	"github.com/hoist-build/hoist/kube"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/resolve"
)

// devSession is the state of one `hoist dev`: the references built so far
// and what was last applied of every object, so that a change rebuilds and
// re-applies only what it affects.
type devSession struct {
	cmd    *cobra.Command
	stderr io.Writer
	client *kube.Client
	cs     kubernetes.Interface
	flags  devFlags
	opts   pipeline.Options // Packages set per build
	repo   string

	files   []string
	paths   []string
	refs    map[string]string // import path → image reference
	applied map[string]string // object key → its applied JSON
	objs    []kube.Object     // every object applied, first-applied order
	sources *dev.Sources
	watcher *dev.Watcher
	watched int
	logs    *dev.Logs
	logsCtx context.Context
	stopLog context.CancelFunc
	follow  map[string]bool
}

func newDevSession(cmd *cobra.Command, df devFlags, s *settings) (*devSession, error) {
	quiet := &display{log: newLogger(cmd, os.Stderr, slog.LevelWarn)}
	s.report(quiet.log)
	client, err := df.kube.client(quiet.log)
	if err != nil {
		return nil, err
	}
	cs, err := df.kube.clientset()
	if err != nil {
		return nil, err
	}
	if err := s.dest.requireRegistry("hoist dev"); err != nil {
		return nil, err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	opts, err := s.runOptions(cwd, nil, quiet)
	if err != nil {
		return nil, err
	}
	w, err := dev.NewWatcher()
	if err != nil {
		return nil, err
	}
	d := &devSession{cmd: cmd, stderr: cmd.ErrOrStderr(), client: client, cs: cs, flags: df, opts: opts, repo: s.dest.repo,
		refs: map[string]string{}, applied: map[string]string{}, watcher: w, follow: map[string]bool{}}
	d.logsCtx, d.stopLog = context.WithCancel(context.Background())
	d.logs = dev.NewLogs(cs, d.stderr)
	return d, nil
}

func (d *devSession) close() {
	d.stopLog()
	d.watcher.Close()
}

func (d *devSession) say(format string, args ...any) {
	fmt.Fprintf(d.stderr, "hoist dev: "+format+"\n", args...)
}

// read expands the -f arguments again (a new file in a directory counts)
// and reads every file.
func (d *devSession) read() ([]string, [][]byte, []string, error) {
	return d.flags.files.read(nil)
}

// first applies everything once, checking the manifests against the
// cluster before paying for the builds.
func (d *devSession) first(ctx context.Context) error {
	files, docs, paths, err := d.read()
	if err != nil {
		return err
	}
	objs, err := decodeFiles(files, docs)
	if err != nil {
		return err
	}
	if _, err := d.client.Map(objs); err != nil {
		return err
	}
	if err := checkLocalPulls(objs, d.repo); err != nil {
		return err
	}
	start := time.Now()
	if err := d.build(ctx, paths); err != nil {
		return err
	}
	if err := d.deploy(ctx, files, docs, start, "starting"); err != nil {
		return err
	}
	return d.rewatch(ctx, files, paths)
}

// change handles one batch of changed files.
func (d *devSession) change(ctx context.Context, changed []string) error {
	start := time.Now()
	files, docs, paths, err := d.read()
	if err != nil {
		return err
	}
	manifests := false
	known := append(slices.Clone(files), d.files...)
	for _, f := range changed {
		if slices.ContainsFunc(known, func(m string) bool { return sameFile(m, f) }) {
			manifests = true
		}
	}
	affected := d.sources.Affected(paths, changed)
	for _, p := range paths {
		if _, built := d.refs[p]; !built && !slices.Contains(affected, p) {
			affected = append(affected, p)
		}
	}
	if len(affected) == 0 && !manifests {
		return nil
	}
	d.say("%s changed", describe(changed))
	if manifests {
		objs, err := decodeFiles(files, docs)
		if err != nil {
			return err
		}
		if err := checkLocalPulls(objs, d.repo); err != nil {
			return err
		}
	}
	if len(affected) > 0 {
		if err := d.build(ctx, affected); err != nil {
			return fmt.Errorf("build failed; the running pods are left as they are:\n%w", err)
		}
	}
	if err := d.deploy(ctx, files, docs, start, "the change"); err != nil {
		return err
	}
	// A rebuilt package may import a package it did not before: list the
	// sources again, now that the rollout no longer waits on it.
	return d.rewatch(ctx, files, paths)
}

func (d *devSession) build(ctx context.Context, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	start := time.Now()
	opts := d.opts
	opts.Packages = paths
	results, err := runPipeline(ctx, opts)
	if err != nil {
		return err
	}
	for _, r := range results {
		d.say("built %s in %v: %s", r.ImageName, time.Since(start).Round(time.Millisecond), r.Ref)
	}
	return collectRefs(d.refs, results, paths)
}

// deploy resolves the manifests with the current references and applies
// the objects that differ from what was last applied, then waits for them.
func (d *devSession) deploy(ctx context.Context, files []string, docs [][]byte, start time.Time, since string) error {
	resolved := make([][]byte, len(docs))
	for i, f := range files {
		var err error
		if resolved[i], err = resolve.Replace(docs[i], d.refs); err != nil {
			return fmt.Errorf("resolving %s: %w", f, err)
		}
	}
	objs, err := decodeFiles(files, resolved)
	if err != nil {
		return err
	}
	mapped, err := d.client.Map(objs)
	if err != nil {
		return err
	}
	var changed []kube.Object
	for _, o := range mapped {
		js, err := o.MarshalJSON()
		if err != nil {
			return err
		}
		key := o.GetNamespace() + "/" + o.Ref()
		if d.applied[key] != string(js) {
			if _, ok := d.applied[key]; !ok {
				d.objs = append(d.objs, o)
			}
			changed = append(changed, o)
			d.applied[key] = string(js)
		}
	}
	if len(changed) == 0 {
		d.say("the resolved manifests are unchanged: nothing to apply")
		return nil
	}
	if err := d.client.Apply(ctx, changed, kube.ApplyOptions{Force: d.flags.force, Report: reporter(d.stderr)}); err != nil {
		// What failed must be applied again next time.
		for _, o := range changed {
			delete(d.applied, o.GetNamespace()+"/"+o.Ref())
		}
		return err
	}
	d.followLogs(changed)
	wctx, cancel := context.WithTimeout(ctx, d.flags.kube.timeout)
	defer cancel()
	if err := d.client.Wait(wctx, changed, reporter(d.stderr)); err != nil {
		return err
	}
	d.say("ready %v after %s", time.Since(start).Round(time.Millisecond), since)
	return nil
}
