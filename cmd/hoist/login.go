package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/internal/dockercfg"
	"github.com/hoist-build/hoist/registry"
)

// remoteSpec: login, verify and sign only reach a registry.
var remoteSpec = flagSpec{groups: remoteGroup}

// loginFlags are login's own flags.
type loginFlags struct {
	user, password string
	passwordStdin  bool
}

func newLoginCmd() *cobra.Command {
	var lf loginFlags
	cmd := &cobra.Command{
		Use:   "login [flags] REGISTRY",
		Short: "Check credentials for a registry and save them in the docker config.json",
		Long: `Check the user name and password against REGISTRY, then save them where
docker login does: $DOCKER_CONFIG/config.json, else ~/.docker/config.json
(through the credential helper it names for REGISTRY, if any). Credentials the
registry refuses are not saved. hoist build, docker, crane and ko read them.`,
		Example: `  echo "$TOKEN" | hoist login ghcr.io -u USER --password-stdin`,
		Args:    cobra.ExactArgs(1),
	}
	f := cmd.Flags()
	f.StringVarP(&lf.user, "username", "u", "", "user name")
	f.StringVarP(&lf.password, "password", "p", "", "password (other users can see it in the process list: prefer --password-stdin)")
	f.BoolVar(&lf.passwordStdin, "password-stdin", false, "read the password from stdin")
	return withSettings(cmd, remoteSpec, func(cmd *cobra.Command, args []string, s *settings) error {
		return runLogin(cmd, args[0], lf, s)
	})
}

func runLogin(cmd *cobra.Command, server string, lf loginFlags, s *settings) error {
	log := logger(cmd)
	s.report(log)
	if lf.user == "" {
		return errors.New("logging in: give the user name with -u")
	}
	password, err := lf.read(cmd, log)
	if err != nil {
		return err
	}
	host, key, err := registryKey(server)
	if err != nil {
		return err
	}
	if err := registry.CheckLogin(cmd.Context(), host, lf.user, password, s.remote.registryOptions(log)); err != nil {
		return err
	}
	path, err := dockerConfigPath()
	if err != nil {
		return err
	}
	if err := dockercfg.Store(cmd.Context(), path, key, lf.user, password); err != nil {
		return fmt.Errorf("saving credentials for %s: %w", host, err)
	}
	log.Info("login succeeded", "registry", host, "config", path)
	return nil
}

// read takes the password from exactly one of -p and --password-stdin, as
// docker login does.
func (lf loginFlags) read(cmd *cobra.Command, log *slog.Logger) (string, error) {
	password, given := lf.password, cmd.Flags().Changed("password")
	switch {
	case lf.passwordStdin && given:
		return "", errors.New("logging in: give the password with -p or --password-stdin, not both")
	case lf.passwordStdin:
		data, err := io.ReadAll(cmd.InOrStdin())
		if err != nil {
			return "", fmt.Errorf("reading the password from stdin: %w", err)
		}
		password = strings.TrimRight(string(data), "\r\n")
	case given:
		log.Warn("-p puts the password in the process list and shell history: prefer --password-stdin")
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
