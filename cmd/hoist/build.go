package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/base"
)

// defaultLayoutDir is where images go when no destination is configured, so a
// new user can try hoist without a registry (git-ignored, see README).
const defaultLayoutDir = "dist/oci"

// buildSpec: hoist build takes every build group; resolve, apply and dev
// build the same way.
var buildSpec = flagSpec{groups: buildGroups, platforms: []string{base.DefaultPlatform}}

func newBuildCmd() *cobra.Command {
	return withSettings(&cobra.Command{
		Use:   "build [flags] [DIR|IMPORTPATH ...]",
		Short: "Compile Go main packages into distroless images and publish them",
		Long: `Compile each Go main package (default ".") for every platform, assemble a
distroless, non-root image, and publish it. One digest reference per image is
printed on stdout; everything else goes to stderr.

Destinations: --oci-layout DIR, --tarball FILE and a registry (--repo, HOIST_REPO,
KO_DOCKER_REPO); every one given is written, and the registry's reference is
printed. With none configured, images go to the OCI layout ./` + defaultLayoutDir + `.`,
	}, buildSpec, runBuild)
}

func runBuild(cmd *cobra.Command, args []string, s *settings) error {
	d, cwd, err := startRun(cmd, s)
	if err != nil {
		return err
	}
	defer d.finish()
	opts, err := s.runOptions(cwd, args, d)
	if err != nil {
		return err
	}
	results, err := runPipeline(cmd.Context(), opts)
	if err != nil {
		return err
	}
	// The display is final before the references go to stdout: a redraw
	// after them would move up over them and erase them.
	d.finish()
	for _, r := range results {
		fmt.Fprintln(cmd.OutOrStdout(), r.Ref)
	}
	d.log.Debug("done", "peak_rss_kib", peakRSSKiB())
	return nil
}
