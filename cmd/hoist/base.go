package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/internal/workdir"
	"github.com/hoist-build/hoist/pipeline"
)

// baseImageName is the distroless base's image name under --repo.
const baseImageName = "distroless"

// baseIgnoredFlags shape the application image, not the base; they stay
// registered, hidden, because the shared settings validate them.
var baseIgnoredFlags = []string{"port", "user", "base", "label", "env", "annotation", "jobs", "cache-dir", "no-cache"}

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
		RunE: runBase,
	}
	f := cmd.Flags()
	addBuildFlagsExcept(f, "platform")
	f.StringSlice("platform", []string{"all"}, "platforms os/arch[/variant], comma-separated, or \"all\"")
	for _, name := range baseIgnoredFlags {
		if f.Lookup(name) != nil {
			_ = f.MarkHidden(name)
		}
	}
	return cmd
}

func runBase(cmd *cobra.Command, _ []string) error {
	for _, name := range baseIgnoredFlags {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			return fmt.Errorf("--%s shapes an application image, not the base: drop it from hoist base", name)
		}
	}
	log := logger(cmd)
	s, err := loadSettings(cmd.Flags())
	if err != nil {
		return err
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	s.tarballPlatform(cmd, log)
	opts, err := s.pipelineOptions(cwd, nil, log)
	if err != nil {
		return err
	}
	work, release, err := workdir.New(log)
	if err != nil {
		return err
	}
	defer release()
	opts.WorkDir = work
	ref, err := pipeline.PublishBase(cmd.Context(), opts, baseImageName)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), ref)
	return err
}

// tarballPlatform narrows the default "all" to the host's platform for
// --tarball, which holds one image: the one `docker load` on this machine
// runs. A platform the user chose is kept, and refused later if several.
func (s *settings) tarballPlatform(cmd *cobra.Command, log *slog.Logger) {
	if s.v.GetString("tarball") == "" || cmd.Flags().Changed("platform") || os.Getenv("HOIST_PLATFORM") != "" || s.v.InConfig("platform") {
		return
	}
	host := "linux/" + runtime.GOARCH
	if runtime.GOARCH == "arm" {
		host = "linux/arm/v7"
	}
	if !slices.Contains(base.AllPlatforms, host) {
		host = base.DefaultPlatform
	}
	log.Info("--tarball holds one platform: writing " + host + " (set --platform to choose)")
	s.v.Set("platform", []string{host})
}
