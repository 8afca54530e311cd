package dockercfg

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/hoist-build/hoist/internal/atomicfile"
)

// Store saves user and password for the registry key (host[:port], or
// "https://index.docker.io/v1/" for Docker Hub) in the config file at path,
// creating the file and its directory as needed.
func Store(ctx context.Context, path, key, user, password string) error {
	path, err := resolve(path)
	if err != nil {
		return err
	}
	cfg, err := read(path)
	if err != nil {
		return err
	}
	if helper := helperFor(cfg, key); helper != "" {
		return storeInHelper(ctx, helper, key, user, password)
	}
	auths := map[string]json.RawMessage{}
	if raw, ok := cfg["auths"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &auths); err != nil {
			return fmt.Errorf("reading %s: \"auths\" is not an object: %w", path, err)
		}
	}
	entry, err := json.Marshal(map[string]string{"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + password))})
	if err != nil {
		return err
	}
	auths[key] = entry
	if cfg["auths"], err = json.Marshal(auths); err != nil {
		return err
	}
	data, err := json.MarshalIndent(cfg, "", "\t")
	if err != nil {
		return err
	}
	return writeAtomic(path, append(data, '\n'))
}

// resolve follows a symlinked config.json, as docker does, so the link
// survives the rename and its target gets the credentials.
func resolve(path string) (string, error) {
	target, err := filepath.EvalSymlinks(path)
	switch {
	case err == nil:
		return target, nil
	case errors.Is(err, fs.ErrNotExist):
		return path, nil
	}
	return "", fmt.Errorf("reading %s: %w", path, err)
}

// read returns the file's top-level keys, each kept as raw JSON so that
// keys this package knows nothing about are written back unchanged.
func read(path string) (map[string]json.RawMessage, error) {
	cfg := map[string]json.RawMessage{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return cfg, nil
}

// helperFor is the credential helper that owns key: its credHelpers entry,
// else the default credsStore. Credentials written under "auths" instead
// would be shadowed by it.
func helperFor(cfg map[string]json.RawMessage, key string) string {
	var helpers map[string]string
	if raw, ok := cfg["credHelpers"]; ok && json.Unmarshal(raw, &helpers) == nil && helpers[key] != "" {
		return helpers[key]
	}
	var store string
	if raw, ok := cfg["credsStore"]; ok && json.Unmarshal(raw, &store) == nil {
		return store
	}
	return ""
}

// storeInHelper speaks the docker credential helper protocol: `store` with
// the credentials as JSON on stdin.
func storeInHelper(ctx context.Context, helper, key, user, password string) error {
	in, err := json.Marshal(map[string]string{"ServerURL": key, "Username": user, "Secret": password})
	if err != nil {
		return err
	}
	prog := "docker-credential-" + helper
	cmd := exec.CommandContext(ctx, prog, "store")
	cmd.Stdin = bytes.NewReader(in)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("storing credentials with %s: %w: %s", prog, err, bytes.TrimSpace(out))
	}
	return nil
}

// writeAtomic replaces path with data through a temporary file in the same
// directory, so a crash leaves the old file or the new one, never half.
func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return atomicfile.Write(path, data, 0o600)
}
