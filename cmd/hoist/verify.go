package main

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/attest"
	"github.com/hoist-build/hoist/publish"
)

func newVerifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify [flags] IMAGE",
		Short: "Check that an image in a registry has its SBOM and provenance attached",
		Long: `List the artifacts attached to IMAGE through the OCI referrers API (or the
referrers tag fallback, sha256-<hex>) and check them: an SBOM (SPDX or
CycloneDX) that describes IMAGE's digest, and SLSA provenance whose subjects
include it. For an index, the index must have provenance and each platform
image both. What is attached is printed on stdout; hoist exits non-zero if
anything is missing or about another digest.`,
		Example: `  hoist verify ghcr.io/acme/app:latest`,
		Args:    cobra.ExactArgs(1),
		RunE:    runVerify,
	}
	f := cmd.Flags()
	f.Duration("timeout", publish.DefaultTimeout, "fail a registry request after this long without progress (0: never)")
	addRemoteFlags(f)
	return cmd
}

func runVerify(cmd *cobra.Command, args []string) error {
	log := logger(cmd)
	f := cmd.Flags()
	opts := publish.RemoteOptions{Logger: log}
	timeout, _ := f.GetDuration("timeout")
	opts.Timeout = timeoutOption(timeout)
	caFile, _ := f.GetString("ca-cert")
	var err error
	if opts.CACertPEM, err = readCACert(caFile); err != nil {
		return err
	}
	if err := applyTransport(&opts, f, nil, log); err != nil {
		return err
	}
	ref, err := name.ParseReference(args[0], opts.NameOptions(args[0])...)
	if err != nil {
		return fmt.Errorf("invalid image reference %q: %w", args[0], err)
	}
	report, err := attest.Verify(cmd.Context(), ref, opts)
	if werr := report.Write(cmd.OutOrStdout()); err == nil {
		err = werr
	}
	return err
}
