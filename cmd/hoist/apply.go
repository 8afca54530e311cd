package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/hoist-build/hoist/kube"
)

// applySpec: apply builds as hoist build does; its --timeout is the
// rollout wait, as in kubectl, so the registry's is --registry-timeout.
var applySpec = flagSpec{groups: buildGroups, platforms: buildSpec.platforms, timeout: registryTimeoutFlag}

// applyFlags are apply's own flags.
type applyFlags struct {
	files       fileFlags
	kube        kubeFlags
	wait, force bool
}

func (af *applyFlags) register(f *pflag.FlagSet) {
	af.files.register(f)
	af.kube.register(f)
	f.BoolVar(&af.force, "force-conflicts", false, "take over fields another field manager owns instead of failing")
}

func newApplyCmd() *cobra.Command {
	var af applyFlags
	cmd := &cobra.Command{
		Use:   "apply -f FILE|DIR|- [-R] [flags]",
		Short: "Build the ko:// images in manifests and server-side apply them to a cluster",
		Long: `Resolve the files as "hoist resolve" does (build each ko:// import path once,
push the images, put their digest references in place), then server-side
apply every object, in order, with field manager "hoist". Each object's result
is printed on stderr: "serverside-applied", or "unchanged" when the server
kept its resourceVersion. With --wait (the default) hoist then waits up to
--timeout for each Deployment to roll out.

Every object is checked against the cluster's API before anything is built:
an unknown kind fails the run at once. A rejected object stops the run with
the fields the server objected to and the objects applied before it.

The cluster comes from --kubeconfig, else KUBECONFIG, else ~/.kube/config, as
for kubectl; no kubectl is needed.`,
		Args: cobra.NoArgs,
	}
	af.register(cmd.Flags())
	cmd.Flags().BoolVar(&af.wait, "wait", true, "wait for Deployments to roll out")
	return withSettings(cmd, applySpec, func(cmd *cobra.Command, _ []string, s *settings) error {
		return runApply(cmd, af, s)
	})
}

func runApply(cmd *cobra.Command, af applyFlags, s *settings) error {
	log := logger(cmd)
	files, docs, paths, err := af.files.read(cmd.InOrStdin())
	if err != nil {
		return err
	}
	client, err := af.kube.client(log)
	if err != nil {
		return err
	}
	// Decoding and mapping the unresolved files first fails a bad manifest
	// or an unknown kind before the builds are paid for.
	objs, err := decodeFiles(files, docs)
	if err != nil {
		return err
	}
	if _, err := client.Map(objs); err != nil {
		return err
	}
	if err := checkLocalPulls(objs, s.dest.repo); err != nil {
		return err
	}
	if len(paths) > 0 {
		if docs, err = resolveDocs(cmd, s, files, docs, paths); err != nil {
			return err
		}
		if objs, err = decodeFiles(files, docs); err != nil {
			return err
		}
	}
	mapped, err := client.Map(objs)
	if err != nil {
		return err
	}
	report := reporter(cmd.ErrOrStderr())
	if err := client.Apply(cmd.Context(), mapped, kube.ApplyOptions{Force: af.force, Report: report}); err != nil {
		return err
	}
	if !af.wait {
		return nil
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), af.kube.timeout)
	defer cancel()
	return client.Wait(ctx, mapped, report)
}

func decodeFiles(files []string, docs [][]byte) ([]*unstructured.Unstructured, error) {
	var out []*unstructured.Unstructured
	for i, f := range files {
		objs, err := kube.Decode(docs[i])
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", f, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

// clientConfig loads the kubeconfig by kubectl's rules: --kubeconfig,
// else the KUBECONFIG list, else ~/.kube/config, then --context and
// --namespace over what it says.
func (k kubeFlags) clientConfig() clientcmd.ClientConfig {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = k.kubeconfig
	overrides := &clientcmd.ConfigOverrides{CurrentContext: k.context}
	overrides.Context.Namespace = k.namespace
	return clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
}

// restConfig is the cluster's client configuration.
func (k kubeFlags) restConfig() (*rest.Config, error) {
	cfg, err := k.clientConfig().ClientConfig()
	if clientcmd.IsEmptyConfig(err) {
		return nil, errors.New("loading kubeconfig: no cluster configured: pass --kubeconfig, set KUBECONFIG or write ~/.kube/config")
	}
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	cfg.UserAgent = "hoist/" + hoistVersion()
	return cfg, nil
}

// client is the cluster's client, in the namespace the flags and the
// kubeconfig name.
func (k kubeFlags) client(log *slog.Logger) (*kube.Client, error) {
	cfg, err := k.restConfig()
	if err != nil {
		return nil, err
	}
	ns, explicit, err := k.clientConfig().Namespace()
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	return kube.New(cfg, kube.Options{Namespace: ns, EnforceNamespace: explicit, Logger: log})
}

// reporter prints results as kubectl does, one line per object.
func reporter(w io.Writer) func(kube.Result) {
	return func(r kube.Result) { fmt.Fprintln(w, r) }
}
