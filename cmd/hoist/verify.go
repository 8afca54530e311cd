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
	var keyRef string
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
	}
	cmd.Flags().StringVar(&keyRef, "key", "", "check cosign-format signatures and attestations with this public key (file or env://VAR)")
	return withSettings(cmd, remoteSpec, func(cmd *cobra.Command, args []string, s *settings) error {
		return runVerify(cmd, args[0], keyRef, s)
	})
}

func runVerify(cmd *cobra.Command, image, keyRef string, s *settings) error {
	opts, ref, err := remoteImage(cmd, image, s)
	if err != nil {
		return err
	}
	if keyRef != "" {
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

// remoteImage parses the IMAGE argument of verify and sign under the
// registry options their settings give.
func remoteImage(cmd *cobra.Command, image string, s *settings) (registry.Options, name.Reference, error) {
	log := logger(cmd)
	s.report(log)
	opts := s.remote.registryOptions(log)
	ref, err := name.ParseReference(image, opts.NameOptions(image)...)
	if err != nil {
		return opts, nil, fmt.Errorf("invalid image reference %q: %w", image, err)
	}
	return opts, ref, nil
}
