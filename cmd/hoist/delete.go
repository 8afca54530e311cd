package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/kube"
)

func newDeleteCmd() *cobra.Command {
	var (
		files        fileFlags
		k            kubeFlags
		ignore, wait bool
	)
	cmd := &cobra.Command{
		Use:   "delete -f FILE|DIR|- [-R] [flags]",
		Short: "Delete the objects in manifests from a cluster",
		Long: `Delete every object the files describe, last first, and wait until they are
gone. Nothing is built: ko:// images may stay unresolved, only the kinds,
names and namespaces matter. Dependents such as a Deployment's pods are
removed by the cluster's garbage collector afterwards, as with kubectl.`,
		Args: cobra.NoArgs,
	}
	f := cmd.Flags()
	files.register(f)
	k.register(f)
	f.BoolVar(&ignore, "ignore-not-found", false, "treat objects already gone as deleted")
	f.BoolVar(&wait, "wait", true, "wait until the objects are gone")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		return runDelete(cmd, files, k, kube.DeleteOptions{IgnoreNotFound: ignore, Wait: wait, Report: reporter(cmd.ErrOrStderr())})
	}
	return cmd
}

func runDelete(cmd *cobra.Command, ff fileFlags, k kubeFlags, opts kube.DeleteOptions) error {
	files, docs, _, err := ff.read(cmd.InOrStdin())
	if err != nil {
		return err
	}
	objs, err := decodeFiles(files, docs)
	if err != nil {
		return err
	}
	client, err := k.client(logger(cmd))
	if err != nil {
		return err
	}
	mapped, err := client.Map(objs)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), k.timeout)
	defer cancel()
	return client.Delete(ctx, mapped, opts)
}
