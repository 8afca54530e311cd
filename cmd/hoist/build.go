package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hoist-build/hoist/base"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/registry"
)

// defaultLayoutDir is where images go when no destination is configured, so a
// new user can try hoist without a registry (git-ignored, see README).
const defaultLayoutDir = "dist/oci"

func newBuildCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "build [flags] [DIR|IMPORTPATH ...]",
		Short: "Compile Go main packages into distroless images and publish them",
		Long: `Compile each Go main package (default ".") for every platform, assemble a
distroless, non-root image, and publish it. One digest reference per image is
printed on stdout; everything else goes to stderr.

Destinations: --oci-layout DIR, --tarball FILE and a registry (--repo, HOIST_REPO,
KO_DOCKER_REPO); every one given is written, and the registry's reference is
printed. With none configured, images go to the OCI layout ./` + defaultLayoutDir + `.`,
		RunE: runBuild,
	}
	addBuildFlags(cmd.Flags())
	addSupplyChainFlags(cmd.Flags())
	return cmd
}

func addBuildFlags(f *pflag.FlagSet) {
	f.String("config", ".hoist.yaml", "image settings file (keys are these flags' names)")
	f.String("repo", "", "registry repository to push to (env HOIST_REPO, then KO_DOCKER_REPO)")
	f.Bool("bare", false, "push to --repo itself, without appending the image name")
	f.StringSlice("tag", []string{"latest"}, "tags to publish (repeatable)")
	f.StringSlice("platform", []string{base.DefaultPlatform}, "platforms os/arch[/variant], comma-separated, or \"all\"")
	f.Int("port", 80, "TCP port the image exposes (0 for none)")
	f.String("user", "65532:65532", "numeric UID[:GID] the process runs as")
	f.String("base", pipeline.BaseDistroless, "base: distroless (synthesized), scratch, or an image reference")
	f.StringArray("label", nil, "image config label key=value (repeatable)")
	f.StringArray("env", nil, "environment variable KEY=VALUE for the process (repeatable)")
	f.StringArray("annotation", nil, "manifest annotation key=value (repeatable)")
	addInsecureFlags(f)
	f.String("ca-cert", "", "PEM file of CA certificates to trust for the registry, besides the system's")
	f.Duration("timeout", registry.DefaultTimeout, "fail a registry request after this long without progress (0: never)")
	f.Int("retries", registry.DefaultRetries, "retries of a registry request that failed with 429/5xx, a reset or a timeout (0: none)")
	f.String("oci-layout", "", "write to this OCI image layout directory (and push too if a repository is set)")
	f.String("tarball", "", "write a tarball for docker load (one platform) to this file (and push too if a repository is set)")
	f.Int("jobs", runtime.GOMAXPROCS(0), "platform builds to run at once")
	f.String("compression", "gzip", "layer compression: gzip or zstd")
	f.String("progress", "auto", "progress display: auto, plain (log lines), tty (live) or none")
	f.String("cache-dir", "", "build cache directory (env HOIST_CACHE; default the user cache dir + /hoist)")
	f.Bool("no-cache", false, "always compile and compress, ignoring and not filling the build cache")
	addLocalFlags(f)
}

func runBuild(cmd *cobra.Command, args []string) error {
	s, err := loadSettings(cmd.Flags())
	if err != nil {
		return err
	}
	log, finish, err := s.startProgress(cmd)
	if err != nil {
		return err
	}
	defer finish()
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	opts, err := s.pipelineOptions(cwd, args, log)
	if err != nil {
		return err
	}
	results, err := runPipeline(cmd.Context(), opts)
	if err != nil {
		return err
	}
	// The display is final before the references go to stdout: a redraw
	// after them would move up over them and erase them.
	finish()
	for _, r := range results {
		fmt.Fprintln(cmd.OutOrStdout(), r.Ref)
	}
	log.Debug("done", "peak_rss_kib", peakRSSKiB())
	return nil
}
