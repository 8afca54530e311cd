package build

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1"
)

// envKey returns the name part of a KEY=value entry, folded on Windows where
// environment names are case-insensitive.
func envKey(kv string) string {
	k, _, _ := strings.Cut(kv, "=")
	if runtime.GOOS == "windows" {
		return strings.ToUpper(k)
	}
	return k
}

// envLookup returns the last value of key, matching how the go command and
// os/exec resolve duplicates.
func envLookup(environ []string, key string) (string, bool) {
	key = envKey(key + "=")
	for i := len(environ) - 1; i >= 0; i-- {
		if envKey(environ[i]) == key {
			_, v, _ := strings.Cut(environ[i], "=")
			return v, true
		}
	}
	return "", false
}

// envMap turns environ into the map templates see as .Env.
func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// envSet returns environ with every entry of set applied, replacing earlier
// values in place so the result has one entry per key and stays readable in
// debug logs.
func envSet(environ []string, set ...string) []string {
	out := make([]string, 0, len(environ)+len(set))
	index := make(map[string]int, len(environ)+len(set))
	for _, kv := range slices.Concat(environ, set) {
		k := envKey(kv)
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

// envDelete drops keys from environ.
func envDelete(environ []string, keys ...string) []string {
	drop := make(map[string]bool, len(keys))
	for _, k := range keys {
		drop[envKey(k+"=")] = true
	}
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		if !drop[envKey(kv)] {
			out = append(out, kv)
		}
	}
	return out
}

// lookPath finds a program on the PATH of environ rather than the PATH of
// this process, because the caller's environment is the one the build is
// supposed to run in.
func lookPath(name string, environ []string) (string, error) {
	path, _ := envLookup(environ, "PATH")
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	for _, dir := range filepath.SplitList(path) {
		// Relative PATH entries would make the result depend on Dir, the
		// same trap os/exec refuses with ErrDot.
		if !filepath.IsAbs(dir) {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if runtime.GOOS == "windows" || fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("finding %s: not found in PATH %q", name, path)
}

// LookPath finds a program on the PATH of environ (see lookPath).
func LookPath(name string, environ []string) (string, error) { return lookPath(name, environ) }

// buildEnv is the go command's environment for platform: the caller's,
// ko's defaults, the config's env and the platform's variables, in rising
// precedence.
func buildEnv(opts Options, platform v1.Platform) ([]string, error) {
	penv, err := platformEnv(platform)
	if err != nil {
		return nil, err
	}
	// ko passes env entries as they are: no templates there.
	for _, kv := range opts.Env {
		if !strings.Contains(kv, "=") {
			return nil, fmt.Errorf("env entry %q: want KEY=value", kv)
		}
		if k := envKey(kv); k == envKey("GOOS=") || k == envKey("GOARCH=") {
			return nil, fmt.Errorf("env entry %q: the platform sets %s, not env", kv, k)
		}
	}
	// As ko: cgo off unless the caller's environment or the config turns
	// it on; the config's env over the caller's. Unlike ko, the platform
	// always wins, so a GOARCH or GOAMD64 left in the shell cannot make a
	// binary for another platform than the image claims, and the
	// architecture's baseline level is set explicitly, since the go command
	// would otherwise take GOAMD64 and friends from its GOENV file; the
	// config may still pick a level for a variant-less platform.
	env := envSet([]string{"CGO_ENABLED=0"}, envDelete(opts.Environ, targetVars...)...)
	env = envSet(env, baselines[platform.Architecture]...)
	env = envSet(env, opts.Env...)
	env = envSet(env, penv...)
	return env, nil
}
