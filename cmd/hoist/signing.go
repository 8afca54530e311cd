package main

import (
	"crypto"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hoist-build/hoist/sign"
)

// passwordEnv are the variables an encrypted key's password is read from,
// in order: hoist's own, then cosign's, so one secret serves both tools.
var passwordEnv = []string{"HOIST_PASSWORD", "COSIGN_PASSWORD"}

// keyPassword reads the password of an encrypted key: the first of the
// variables that is not empty; a variable that is set but empty (and no
// other) is an empty password, as in cosign.
func keyPassword() ([]byte, error) {
	set := false
	for _, v := range passwordEnv {
		pw, ok := os.LookupEnv(v)
		if pw != "" {
			return []byte(pw), nil
		}
		set = set || ok
	}
	if set {
		return []byte{}, nil
	}
	return nil, fmt.Errorf("the key is encrypted: set %s (or %s) to its password", passwordEnv[0], passwordEnv[1])
}

// readKey reads a key given as a file path or as env://VAR, a variable
// holding the PEM (cosign's syntax). Errors name the path or variable,
// never the contents.
func readKey(flag, ref string) ([]byte, error) {
	if v, ok := strings.CutPrefix(ref, "env://"); ok {
		pem := os.Getenv(v)
		if pem == "" {
			return nil, fmt.Errorf("%s %s: the variable %s is empty or not set", flag, ref, v)
		}
		return []byte(pem), nil
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", flag, err)
	}
	return data, nil
}

// loadSigner reads a private key for --sign-key or `hoist sign --key`.
func loadSigner(flag, ref string) (sign.Signer, error) {
	data, err := readKey(flag, ref)
	if err != nil {
		return nil, err
	}
	key, err := sign.ParsePrivateKey(data, keyPassword)
	if errors.Is(err, sign.ErrWrongPassword) {
		return nil, fmt.Errorf("decrypting %s %s: wrong password in %s or %s", flag, ref, passwordEnv[0], passwordEnv[1])
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", flag, ref, err)
	}
	return sign.NewKeySigner(key)
}

// loadPublicKey reads `hoist verify --key`.
func loadPublicKey(ref string) (crypto.PublicKey, error) {
	data, err := readKey("--key", ref)
	if err != nil {
		return nil, err
	}
	pub, err := sign.ParsePublicKey(data)
	if err != nil {
		return nil, fmt.Errorf("reading --key %s: %w (want the public key, e.g. cosign.pub)", ref, err)
	}
	return pub, nil
}
