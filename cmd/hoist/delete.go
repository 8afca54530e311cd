package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/kube"
)

func newDeleteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete -f FILE|DIR|- [-R] [flags]",
		Short: "Delete the objects in manifests from a cluster",
		Long: `Delete every object the files describe, last first, and wait until they are
gone. Nothing is built: ko:// images may stay unresolved, only the kinds,
names and namespaces matter. Dependents such as a Deployment's pods are
removed by the cluster's garbage collector afterwards, as with kubectl.`,
		Args: cobra.NoArgs,
		RunE: runDelete,
	}
	f := cmd.Flags()
	addFileFlags(f)
	addKubeFlags(f)
	f.Bool("ignore-not-found", false, "treat objects already gone as deleted")
	f.Bool("wait", true, "wait until the objects are gone")
	f.Duration("timeout", 5*time.Minute, "how long --wait waits")
	return cmd
}

func runDelete(cmd *cobra.Command, _ []string) error {
	files, docs, _, err := readFileFlags(cmd)
	if err != nil {
		return err
	}
	objs, err := decodeFiles(files, docs)
	if err != nil {
		return err
	}
	client, err := kubeClient(cmd, logger(cmd))
	if err != nil {
		return err
	}
	mapped, err := client.Map(objs)
	if err != nil {
		return err
	}
	f := cmd.Flags()
	ignore, _ := f.GetBool("ignore-not-found")
	wait, _ := f.GetBool("wait")
	timeout, _ := f.GetDuration("timeout")
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	defer cancel()
	return client.Delete(ctx, mapped, kube.DeleteOptions{IgnoreNotFound: ignore, Wait: wait, Report: reporter(cmd.ErrOrStderr())})
}
