package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/pipeline"
)

// baseImageName is the distroless base's image name under --repo.
const baseImageName = "distroless"

// baseSpec: the base is published like an image, for every platform by
// default; what shapes an application image is not among its flags.
var baseSpec = flagSpec{groups: configGroup | destinationGroup | remoteGroup | outputGroup, platforms: []string{"all"}}

func newBaseCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "base [flags]",
		Short: "Publish hoist's synthesized distroless base image on its own",
		Long: `Publish the distroless base that hoist builds images on (base files, CA
bundle, tzdata from the Go toolchain; user 65532:65532) as an image of its own:
an index of every platform hoist supports by default. ko can then use it as
defaultBaseImage (or KO_DEFAULTBASEIMAGE), and a Dockerfile as FROM, with no
pull from the internet. It is published as REPO/` + baseImageName + ` (REPO itself with
--bare); the digest reference is printed on stdout.`,
		Args: cobra.NoArgs,
	}
	cmd.SetFlagErrorFunc(applicationFlagError)
	return withSettings(cmd, baseSpec, runBase)
}

// applicationFlagError says why a build flag the base does not take is
// unknown here.
func applicationFlagError(_ *cobra.Command, err error) error {
	app := pflag.NewFlagSet("application", pflag.ContinueOnError)
	flagSpec{groups: portGroup | applicationGroup | supplyChainGroup}.register(app)
	var name string
	app.VisitAll(func(f *pflag.Flag) {
		if err.Error() == "unknown flag: --"+f.Name {
			name = f.Name
		}
	})
	if name == "" {
		return err
	}
	return fmt.Errorf("--%s shapes an application image, not the base: drop it from hoist base", name)
}

func runBase(cmd *cobra.Command, _ []string, s *settings) error {
	d, cwd, err := startRun(cmd, s)
	if err != nil {
		return err
	}
	defer d.finish()
	opts, err := s.runOptions(cwd, nil, d)
	if err != nil {
		return err
	}
	ref, err := inWorkDir(opts, func(opts pipeline.Options) (string, error) {
		return pipeline.PublishBase(cmd.Context(), opts, baseImageName)
	})
	if err != nil {
		return err
	}
	d.finish()
	_, err = fmt.Fprintln(cmd.OutOrStdout(), ref)
	return err
}
