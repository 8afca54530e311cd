package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/hoist-build/hoist/kube"
	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/resolve"
)

func newApplyCmd() *cobra.Command {
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
		RunE: runApply,
	}
	f := cmd.Flags()
	// --timeout bounds the rollout wait, as in kubectl; the registry's
	// request timeout moves to --registry-timeout.
	addBuildFlagsExcept(f, "timeout")
	f.Duration("registry-timeout", registry.DefaultTimeout, "fail a registry request after this long without progress (0: never)")
	addFileFlags(f)
	addKubeFlags(f)
	f.Bool("wait", true, "wait for Deployments to roll out")
	f.Duration("timeout", 5*time.Minute, "how long --wait waits for all Deployments")
	f.Bool("force-conflicts", false, "take over fields another field manager owns instead of failing")
	return cmd
}

func addFileFlags(f *pflag.FlagSet) {
	f.StringArrayP("filename", "f", nil, "YAML file, directory of *.yaml/*.yml/*.json, or - for stdin (repeatable)")
	f.BoolP("recursive", "R", false, "also read the subdirectories of -f directories")
}

func addKubeFlags(f *pflag.FlagSet) {
	f.String("kubeconfig", "", "kubeconfig file (default KUBECONFIG, then ~/.kube/config)")
	f.String("context", "", "kubeconfig context (default its current context)")
	f.StringP("namespace", "n", "", "namespace of the objects that name none (default the context's, else default)")
}

func runApply(cmd *cobra.Command, _ []string) error {
	log := logger(cmd)
	files, docs, paths, err := readFileFlags(cmd)
	if err != nil {
		return err
	}
	client, err := kubeClient(cmd, log)
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
	if err := checkLocalPulls(objs, repoSetting(cmd)); err != nil {
		return err
	}
	if len(paths) > 0 {
		if docs, err = resolveDocs(cmd, files, docs, paths, log); err != nil {
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
	force, _ := cmd.Flags().GetBool("force-conflicts")
	if err := client.Apply(cmd.Context(), mapped, kube.ApplyOptions{Force: force, Report: report}); err != nil {
		return err
	}
	if wait, _ := cmd.Flags().GetBool("wait"); !wait {
		return nil
	}
	timeout, _ := cmd.Flags().GetDuration("timeout")
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	defer cancel()
	return client.Wait(ctx, mapped, report)
}

// readFileFlags reads the -f files before anything else happens.
func readFileFlags(cmd *cobra.Command) (files []string, docs [][]byte, paths []string, err error) {
	names, _ := cmd.Flags().GetStringArray("filename")
	recursive, _ := cmd.Flags().GetBool("recursive")
	if files, err = resolve.Files(names, recursive); err != nil {
		return nil, nil, nil, err
	}
	docs, paths, err = readManifests(cmd.InOrStdin(), files)
	return files, docs, paths, err
}

// resolveDocs builds and pushes the import paths through resolve's code
// path and puts their digest references in the documents.
func resolveDocs(cmd *cobra.Command, files []string, docs [][]byte, paths []string, log *slog.Logger) ([][]byte, error) {
	view := buildView(cmd)
	s, err := loadSettings(view.Flags())
	if err != nil {
		return nil, err
	}
	if err := s.requireRegistry("hoist " + cmd.Name()); err != nil {
		return nil, err
	}
	refs, err := buildRefs(view, paths)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(docs))
	for i, f := range files {
		if out[i], err = resolve.Replace(docs[i], refs); err != nil {
			return nil, fmt.Errorf("resolving %s: %w", f, err)
		}
	}
	return out, nil
}

// buildView presents apply's build flags under the names the build
// settings read: its --registry-timeout as --timeout, and without the
// rollout --timeout, which must not bound registry requests.
func buildView(cmd *cobra.Command) *cobra.Command {
	view := &cobra.Command{Use: cmd.Name()}
	view.SetContext(cmd.Context())
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		switch f.Name {
		case "timeout":
		case "registry-timeout":
			renamed := *f
			renamed.Name = "timeout"
			view.Flags().AddFlag(&renamed)
		default:
			view.Flags().AddFlag(f)
		}
	})
	return view
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

// kubeClient loads the kubeconfig by kubectl's rules: --kubeconfig, else
// the KUBECONFIG list, else ~/.kube/config, then --context and --namespace
// over what it says.
func kubeClient(cmd *cobra.Command, log *slog.Logger) (*kube.Client, error) {
	f := cmd.Flags()
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath, _ = f.GetString("kubeconfig")
	overrides := &clientcmd.ConfigOverrides{}
	overrides.CurrentContext, _ = f.GetString("context")
	overrides.Context.Namespace, _ = f.GetString("namespace")
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides)
	cfg, err := cc.ClientConfig()
	if clientcmd.IsEmptyConfig(err) {
		return nil, errors.New("loading kubeconfig: no cluster configured: pass --kubeconfig, set KUBECONFIG or write ~/.kube/config")
	}
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	ns, explicit, err := cc.Namespace()
	if err != nil {
		return nil, fmt.Errorf("loading kubeconfig: %w", err)
	}
	cfg.UserAgent = "hoist/" + hoistVersion()
	return kube.New(cfg, kube.Options{Namespace: ns, EnforceNamespace: explicit, Logger: log})
}

// reporter prints results as kubectl does, one line per object.
func reporter(w io.Writer) func(kube.Result) {
	return func(r kube.Result) { fmt.Fprintln(w, r) }
}
