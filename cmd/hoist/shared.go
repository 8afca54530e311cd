package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/internal/workdir"
	"github.com/hoist-build/hoist/pipeline"
)

// addBuildFlagsExcept adds `hoist build`'s flags to f, but for those named,
// so that every command that builds or publishes takes the same names,
// defaults and help; the command defines the excepted ones its own way.
func addBuildFlagsExcept(f *pflag.FlagSet, except ...string) {
	all := pflag.NewFlagSet("build", pflag.ContinueOnError)
	addBuildFlags(all)
	all.VisitAll(func(fl *pflag.Flag) {
		if !slices.Contains(except, fl.Name) {
			f.AddFlag(fl)
		}
	})
}

// addBuildFlagsOnly adds the named flags of `hoist build` to f.
func addBuildFlagsOnly(f *pflag.FlagSet, names ...string) {
	all := pflag.NewFlagSet("build", pflag.ContinueOnError)
	addBuildFlags(all)
	for _, n := range names {
		f.AddFlag(all.Lookup(n))
	}
}

// requireRegistry refuses a file destination for commands whose output
// names images for a cluster to pull: a digest in an OCI layout or tarball
// is no reference a kubelet can resolve, and docker.io would be assumed.
func (s *settings) requireRegistry(command string) error {
	if s.v.GetString("oci-layout") != "" || s.v.GetString("tarball") != "" || s.v.GetString("repo") == "" {
		return fmt.Errorf("%s publishes to a registry only: set --repo, HOIST_REPO or KO_DOCKER_REPO, and no --oci-layout or --tarball", command)
	}
	return nil
}

// runPipeline runs one pipeline in a work directory of its own, removed
// afterwards.
func runPipeline(ctx context.Context, opts pipeline.Options) ([]pipeline.Result, error) {
	work, release, err := workdir.New(opts.Logger)
	if err != nil {
		return nil, err
	}
	defer release()
	opts.WorkDir = work
	return pipeline.Run(ctx, opts)
}
