package main

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sign"
)

func newSignCmd() *cobra.Command {
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
		RunE: runSign,
	}
	f := cmd.Flags()
	f.String("key", "", "private key: a file, or env://VAR holding the PEM (required)")
	f.String("sbom-dir", "", "also attest the SBOMs and provenance that hoist build --sbom-dir wrote in this directory")
	f.Duration("timeout", registry.DefaultTimeout, "fail a registry request after this long without progress (0: never)")
	addRemoteFlags(f)
	return cmd
}

func runSign(cmd *cobra.Command, args []string) error {
	f := cmd.Flags()
	keyRef, _ := f.GetString("key")
	if keyRef == "" {
		return fmt.Errorf("hoist sign needs --key: a private key file, or env://VAR (make one with hoist keygen)")
	}
	opts, err := remoteOptions(cmd)
	if err != nil {
		return err
	}
	signer, err := loadSigner("--key", keyRef)
	if err != nil {
		return err
	}
	ref, err := name.ParseReference(args[0], opts.NameOptions(args[0])...)
	if err != nil {
		return fmt.Errorf("invalid image reference %q: %w", args[0], err)
	}
	targets, err := opts.Manifests(cmd.Context(), ref)
	if err != nil {
		return err
	}
	ms := make([]sign.Manifest, len(targets))
	for i, t := range targets {
		ms[i].Ref = t.Ref
	}
	if dir, _ := f.GetString("sbom-dir"); dir != "" {
		if err := addDirStatements(ms, dir, ref); err != nil {
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

// remoteOptions reads the connection flags that sign and verify share.
func remoteOptions(cmd *cobra.Command) (registry.Options, error) {
	log := logger(cmd)
	f := cmd.Flags()
	opts := registry.Options{Logger: log, Retries: registry.DefaultRetries}
	opts.Insecure, _ = f.GetBool("insecure")
	opts.Timeout, _ = f.GetDuration("timeout")
	caFile, _ := f.GetString("ca-cert")
	var err error
	if opts.CACertPEM, err = readCACert(caFile); err != nil {
		return opts, err
	}
	if opts.Insecure {
		log.Warn("--insecure: TLS verification is off and plain http is allowed")
	}
	return opts, nil
}
