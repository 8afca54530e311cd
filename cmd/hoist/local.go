package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"

	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/containerd"
	"github.com/hoist-build/hoist/publish"
)

// addLocalFlags adds the settings of the registry-less destinations,
// --repo containerd.local and kind.local.
func addLocalFlags(f *pflag.FlagSet) {
	f.String("containerd-address", "", "containerd socket for --repo "+containerd.Host+" (env CONTAINERD_ADDRESS; default "+containerd.DefaultAddress+")")
	f.String("containerd-namespace", "", "containerd namespace for --repo "+containerd.Host+" (env CONTAINERD_NAMESPACE; default "+containerd.DefaultNamespace+", the kubelet's)")
}

// localPublisher returns the destination for a containerd.local or
// kind.local repository, or nil for any other.
func (s *settings) localPublisher(repo string, tags []string, log *slog.Logger) (publish.Publisher, error) {
	switch {
	case containerd.IsRepo(repo):
		// ctr and nerdctl read the same variables.
		addr := firstNonEmpty(s.v.GetString("containerd-address"), os.Getenv("CONTAINERD_ADDRESS"))
		ns := firstNonEmpty(s.v.GetString("containerd-namespace"), os.Getenv("CONTAINERD_NAMESPACE"))
		return containerd.New(containerd.Options{Repo: repo, Bare: s.v.GetBool("bare"), Tags: tags, Address: addr, Namespace: ns, Logger: log})
	case repo == containerd.KindHost || strings.HasPrefix(repo, containerd.KindHost+"/"):
		if repo != containerd.KindHost {
			return nil, fmt.Errorf("invalid repository %q: kind.local takes no path, images are named kind.local/NAME", repo)
		}
		bin, err := exec.LookPath("kind")
		if err != nil {
			return nil, fmt.Errorf("%s loads images into a kind cluster's nodes with the kind CLI, which is not on PATH: install kind, or use --repo %s for a containerd on this machine", repo, containerd.Host)
		}
		return containerd.NewKind(bin, os.Getenv("KIND_CLUSTER_NAME"), os.TempDir(), tags, log)
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
