package main

import (
	"context"
	"errors"
	"slices"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

	"github.com/hoist-build/hoist/resolve"
)

// devFlags are dev's own flags: apply's but --wait, and its own.
type devFlags struct {
	applyFlags
	cleanup, logs bool
}

func newDevCmd() *cobra.Command {
	var df devFlags
	cmd := &cobra.Command{
		Use:   "dev -f FILE|DIR [-R] [flags]",
		Short: "Apply manifests, then rebuild, reload and re-apply on every source change",
		Long: `Apply the files as "hoist apply" does, then watch the source directories of
every ko:// image in them (the main module's packages each imports, its
kodata, go.mod and go.sum) and the manifests themselves. On a change hoist
rebuilds only the images the change affects, publishes them, re-applies only
the objects whose resolved manifest changed, waits for their rollout and
streams the new pods' logs, each line prefixed with its pod's name.

A build error prints the compiler's message and leaves the running pods as
they are; the next save tries again. Ctrl-C stops watching and leaves the
cluster as it is, or with --cleanup deletes what dev applied.

With --repo containerd.local the images go straight into the node's
containerd (CONTAINERD_ADDRESS, default /run/containerd/containerd.sock): no
registry, no push, no pull.`,
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	df.register(f)
	f.BoolVar(&df.cleanup, "cleanup", false, "on Ctrl-C, delete the objects dev applied")
	f.BoolVar(&df.logs, "logs", true, "stream the logs of the Deployments' pods")
	return withSettings(cmd, applySpec, func(cmd *cobra.Command, _ []string, s *settings) error {
		return runDev(cmd, df, s)
	})
}

func runDev(cmd *cobra.Command, df devFlags, s *settings) error {
	if slices.Contains(df.files.names, resolve.Stdin) {
		return errors.New("hoist dev watches files: pass -f FILE or -f DIR, not -f -")
	}
	d, err := newDevSession(cmd, df, s)
	if err != nil {
		return err
	}
	defer d.close()
	ctx := cmd.Context()
	if err := d.first(ctx); err != nil {
		return err
	}
	errs := make(chan error, 1)
	batches := d.watcher.Batches(ctx, errs)
	d.say("watching %d directories; Ctrl-C to stop", d.watched)
	for {
		select {
		case <-ctx.Done():
			return d.stop()
		case err := <-errs:
			d.say("file watcher: %v", err)
		case files, ok := <-batches:
			if !ok {
				return d.stop()
			}
			if err := d.change(ctx, files); err != nil {
				if ctx.Err() != nil {
					return d.stop()
				}
				d.say("%v", err)
			}
		}
	}
}

// stop ends the session on Ctrl-C: the cluster stays as it is unless
// --cleanup asks to delete what was applied.
func (d *devSession) stop() error {
	if !d.flags.cleanup {
		d.say("stopped; the cluster keeps what was applied (hoist delete -f … removes it)")
		return nil
	}
	d.say("stopped; deleting what dev applied")
	ctx, cancel := context.WithTimeout(context.WithoutCancel(d.cmd.Context()), d.flags.kube.timeout)
	defer cancel()
	return d.deleteApplied(ctx)
}

// clientset is a typed client for what kube.Client does not do:
// following pod logs. It loads the kubeconfig by the same rules.
func (k kubeFlags) clientset() (kubernetes.Interface, error) {
	cfg, err := k.restConfig()
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(cfg)
}
