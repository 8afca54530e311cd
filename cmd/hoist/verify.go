package main

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/attest"
	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sign"
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
anything is missing or about another digest.

With --key (cosign.pub, or env://VAR), the signatures and signed attestations
in cosign's format (tags sha256-<hex>.sig and .att) are checked instead: a
signature by the key naming the digest, and signed provenance (and, for
images, a signed SBOM) whose subjects include it; unsigned documents prove
nothing and are not read.`,
		Example: `  hoist verify ghcr.io/acme/app:latest
  hoist verify --key cosign.pub ghcr.io/acme/app:latest`,
		Args: cobra.ExactArgs(1),
		RunE: runVerify,
	}
	f := cmd.Flags()
	f.String("key", "", "check cosign-format signatures and attestations with this public key (file or env://VAR)")
	f.Duration("timeout", registry.DefaultTimeout, "fail a registry request after this long without progress (0: never)")
	addRemoteFlags(f)
	return cmd
}

func runVerify(cmd *cobra.Command, args []string) error {
	log := logger(cmd)
	f := cmd.Flags()
	opts := registry.Options{Logger: log, Retries: registry.DefaultRetries}
	opts.Timeout, _ = f.GetDuration("timeout")
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
	if keyRef, _ := f.GetString("key"); keyRef != "" {
		return verifySigned(cmd, ref, keyRef, opts)
	}
	report, err := attest.Verify(cmd.Context(), ref, opts)
	if werr := report.Write(cmd.OutOrStdout()); err == nil {
		err = werr
	}
	return err
}

func verifySigned(cmd *cobra.Command, ref name.Reference, keyRef string, opts registry.Options) error {
	pub, err := loadPublicKey(keyRef)
	if err != nil {
		return err
	}
	report, err := sign.Verify(cmd.Context(), ref, pub, opts)
	if werr := report.Write(cmd.OutOrStdout()); err == nil {
		err = werr
	}
	return err
}
