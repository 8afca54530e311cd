package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/internal/dockercfg"
	"github.com/hoist-build/hoist/registry"
)

func newLoginCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "login [flags] REGISTRY",
		Short: "Check credentials for a registry and save them in the docker config.json",
		Long: `Check the user name and password against REGISTRY, then save them where
docker login does: $DOCKER_CONFIG/config.json, else ~/.docker/config.json
(through the credential helper it names for REGISTRY, if any). Credentials the
registry refuses are not saved. hoist build, docker, crane and ko read them.`,
		Example: `  echo "$TOKEN" | hoist login ghcr.io -u USER --password-stdin`,
		Args:    cobra.ExactArgs(1),
		RunE:    runLogin,
	}
	f := cmd.Flags()
	f.StringP("username", "u", "", "user name")
	f.StringP("password", "p", "", "password (other users can see it in the process list: prefer --password-stdin)")
	f.Bool("password-stdin", false, "read the password from stdin")
	f.Duration("timeout", registry.DefaultTimeout, "fail a registry request after this long without progress (0: never)")
	addRemoteFlags(f)
	return cmd
}

func runLogin(cmd *cobra.Command, args []string) error {
	log := logger(cmd)
	f := cmd.Flags()
	user, _ := f.GetString("username")
	if user == "" {
		return errors.New("logging in: give the user name with -u")
	}
	password, err := loginPassword(cmd)
	if err != nil {
		return err
	}
	host, key, err := registryKey(args[0])
	if err != nil {
		return err
	}
	opts := registry.Options{Logger: log, Retries: registry.DefaultRetries}
	opts.Timeout, _ = f.GetDuration("timeout")
	caFile, _ := f.GetString("ca-cert")
	if opts.CACertPEM, err = readCACert(caFile); err != nil {
		return err
	}
	if err := applyTransport(&opts, f, nil, log); err != nil {
		return err
	}
	if err := registry.CheckLogin(cmd.Context(), host, user, password, opts); err != nil {
		return err
	}
	path, err := dockerConfigPath()
	if err != nil {
		return err
	}
	if err := dockercfg.Store(cmd.Context(), path, key, user, password); err != nil {
		return fmt.Errorf("saving credentials for %s: %w", host, err)
	}
	log.Info("login succeeded", "registry", host, "config", path)
	return nil
}

// loginPassword takes the password from exactly one of -p and
// --password-stdin, as docker login does.
func loginPassword(cmd *cobra.Command) (string, error) {
	f := cmd.Flags()
	fromStdin, _ := f.GetBool("password-stdin")
	password, _ := f.GetString("password")
	switch {
	case fromStdin && f.Changed("password"):
		return "", errors.New("logging in: give the password with -p or --password-stdin, not both")
	case fromStdin:
		data, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return "", fmt.Errorf("reading the password from stdin: %w", err)
		}
		password = strings.TrimRight(string(data), "\r\n")
	case f.Changed("password"):
		logger(cmd).Warn("-p puts the password in the process list and shell history: prefer --password-stdin")
	}
	if password == "" {
		return "", errors.New("logging in: give the password with --password-stdin (or -p)")
	}
	return password, nil
}

// registryKey accepts what docker login accepts (a host, or a URL such as
// https://index.docker.io/v1/) and returns the host to check and the
// config.json key ggcr's keychain will look the credentials up under.
func registryKey(arg string) (host, key string, err error) {
	s := strings.TrimPrefix(strings.TrimPrefix(arg, "https://"), "http://")
	s, _, _ = strings.Cut(s, "/")
	reg, err := name.NewRegistry(s)
	if err != nil || s == "" {
		return "", "", fmt.Errorf("invalid registry %q: want HOST[:PORT], e.g. ghcr.io", arg)
	}
	host = reg.RegistryStr()
	if host == name.DefaultRegistry {
		return host, authn.DefaultAuthKey, nil
	}
	return host, host, nil
}

// dockerConfigPath is where docker keeps config.json: $DOCKER_CONFIG, else
// ~/.docker.
func dockerConfigPath() (string, error) {
	if dir := os.Getenv("DOCKER_CONFIG"); dir != "" {
		return filepath.Join(dir, "config.json"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the docker config: %w (set DOCKER_CONFIG)", err)
	}
	return filepath.Join(home, ".docker", "config.json"), nil
}
