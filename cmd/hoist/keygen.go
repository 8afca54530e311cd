package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/sign"
)

func newKeygenCmd() *cobra.Command {
	var prefix string
	cmd := &cobra.Command{
		Use:   "keygen [--output-key-prefix PREFIX]",
		Short: "Write a signing key pair that hoist and cosign both read",
		Long: `Write an ECDSA P-256 key pair as ` + "`cosign generate-key-pair`" + ` does: PREFIX.key, the
private key encrypted with the password in HOIST_PASSWORD (or COSIGN_PASSWORD;
set but empty means no password), and PREFIX.pub, the public key. Existing
files are not overwritten.`,
		Example: `  HOIST_PASSWORD=... hoist keygen
  hoist build --repo ghcr.io/acme --sign-key cosign.key ./app
  hoist verify --key cosign.pub ghcr.io/acme/app:latest`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runKeygen(cmd, prefix) },
	}
	cmd.Flags().StringVar(&prefix, "output-key-prefix", "cosign", "write PREFIX.key and PREFIX.pub")
	return cmd
}

func runKeygen(cmd *cobra.Command, prefix string) error {
	password, err := keyPassword()
	if err != nil {
		return fmt.Errorf("hoist keygen encrypts the private key: set %s (or %s) to its password", passwordEnv[0], passwordEnv[1])
	}
	priv, pub, err := sign.GenerateKeyPair(password)
	if err != nil {
		return err
	}
	keyFile, pubFile := prefix+".key", prefix+".pub"
	for _, f := range []string{keyFile, pubFile} {
		if _, err := os.Stat(f); err == nil {
			return fmt.Errorf("%s exists: remove it or pass another --output-key-prefix", f)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("checking %s: %w", f, err)
		}
	}
	if err := writeNew(keyFile, priv, 0o600); err != nil {
		return err
	}
	if err := writeNew(pubFile, pub, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Private key written to %s\nPublic key written to %s\n", keyFile, pubFile)
	return nil
}

// writeNew creates path, failing if it exists (another run raced us).
func writeNew(path string, data []byte, mode os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
