package main

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/sign"
)

func newSignCmd() *cobra.Command {
	var keyRef, sbomDir string
	cmd := &cobra.Command{
		Use:   "sign --key KEY [--sbom-dir DIR] IMAGE",
		Short: "Sign an image already in a registry, in cosign's format",
		Long: `Sign IMAGE, and each platform image if it is an index, as ` + "`cosign sign --key`" + `
does (tag sha256-<hex>.sig). With --sbom-dir, the SBOMs and provenance that
` + "`hoist build --sbom-dir DIR`" + ` wrote there are attested too, signed, as
` + "`cosign attest --key`" + ` does (tag sha256-<hex>.att), each to the digests it is
about. This is for images built into an OCI layout or tarball and pushed
later (crane push); for a registry destination, hoist build --sign-key signs
at build time. KEY is a file or env://VAR; its password is read from
HOIST_PASSWORD or COSIGN_PASSWORD.`,
		Example: `  hoist build --oci-layout dist/oci --sbom-dir dist/docs ./app
  ref=$(crane push dist/oci ghcr.io/acme/app:v1)
  hoist sign --key cosign.key --sbom-dir dist/docs "$ref"`,
		Args: cobra.ExactArgs(1),
	}
	f := cmd.Flags()
	f.StringVar(&keyRef, "key", "", "private key: a file, or env://VAR holding the PEM (required)")
	f.StringVar(&sbomDir, "sbom-dir", "", "also attest the SBOMs and provenance that hoist build --sbom-dir wrote in this directory")
	return withSettings(cmd, remoteSpec, func(cmd *cobra.Command, args []string, s *settings) error {
		return runSign(cmd, args[0], keyRef, sbomDir, s)
	})
}

func runSign(cmd *cobra.Command, image, keyRef, sbomDir string, s *settings) error {
	if keyRef == "" {
		return fmt.Errorf("hoist sign needs --key: a private key file, or env://VAR (make one with hoist keygen)")
	}
	signer, err := loadSigner("--key", keyRef)
	if err != nil {
		return err
	}
	opts, ref, err := remoteImage(cmd, image, s)
	if err != nil {
		return err
	}
	targets, err := opts.Manifests(cmd.Context(), ref)
	if err != nil {
		return err
	}
	ms := make([]sign.Manifest, len(targets))
	for i, t := range targets {
		ms[i].Ref = t.Ref
	}
	if sbomDir != "" {
		if err := addDirStatements(ms, sbomDir, ref); err != nil {
			return err
		}
	}
	if err := sign.Publish(cmd.Context(), sign.Options{Signer: signer, Remote: opts, Logger: opts.Logger}, ms); err != nil {
		return err
	}
	fmt.Fprintln(cmd.OutOrStdout(), targets[0].Ref)
	return nil
}

// addDirStatements gives each manifest the statements of the documents in
// dir that are about it. A directory with none about IMAGE is a mistake
// (another build's documents), not an image without documents.
func addDirStatements(ms []sign.Manifest, dir string, ref name.Reference) error {
	byDigest, err := sign.StatementsFromDir(dir, ref.Context())
	if err != nil {
		return fmt.Errorf("--sbom-dir %s: %w", dir, err)
	}
	n := 0
	for i := range ms {
		h := ms[i].Ref.DigestStr()
		for d, sts := range byDigest {
			if d.String() == h {
				ms[i].Statements = append(ms[i].Statements, sts...)
				n += len(sts)
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("--sbom-dir %s holds no SBOM or provenance about %s or its images: was it written by the build that made this image?", dir, ms[0].Ref)
	}
	return nil
}
