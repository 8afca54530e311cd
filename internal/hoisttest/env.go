package hoisttest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

var hostGo = sync.OnceValues(func() ([]string, error) {
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
})

// Environ is the environment tests run go and hoist in: this process's PATH,
// a fresh HOME, GOENV pointing at an empty file under it (tests may write
// settings there), no GOFLAGS, the local toolchain, no network for modules,
// and the host's GOCACHE and GOMODCACHE, whose contents are keyed by what
// they hold, so sharing them only saves time. Nothing else of the caller's
// environment (HOIST_*, KO_*, GIT_*) leaks in. extra entries are appended
// and win over these. Every call within one test returns the same
// environment.
func Environ(t testing.TB, extra ...string) []string {
	t.Helper()
	envs.Lock()
	env, ok := envs.m[t]
	envs.Unlock()
	if !ok {
		env = newEnviron(t)
		envs.Lock()
		envs.m[t] = env
		envs.Unlock()
		t.Cleanup(func() {
			envs.Lock()
			delete(envs.m, t)
			envs.Unlock()
		})
	}
	return append(slices.Clip(env), extra...)
}

// envs keeps one environment per test: a second build in a test must see
// the same HOME and GOENV file, as a second run on a machine would.
var envs = struct {
	sync.Mutex
	m map[testing.TB][]string
}{m: map[testing.TB][]string{}}

func newEnviron(t testing.TB) []string {
	t.Helper()
	caches, err := hostGo()
	if err != nil || len(caches) != 3 {
		t.Fatalf("asking go for its caches: %v", err)
	}
	home := t.TempDir()
	goenv := filepath.Join(home, "goenv")
	if err := os.WriteFile(goenv, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GOENV=" + goenv, "GOFLAGS=",
		"GOTOOLCHAIN=local", "GOPROXY=off", "GOSUMDB=off",
		"GOCACHE=" + caches[0], "GOMODCACHE=" + caches[1],
		"GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=hoist test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=hoist test", "GIT_COMMITTER_EMAIL=test@example.com",
	}
	return env
}

// Lookup returns the value of key in env (the last entry wins, as for exec).
func Lookup(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Need skips the test on a developer's machine that lacks what it needs,
// and fails it in CI (CI set), where .ci/run must have provided it.
func Need(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("this test needs %s; .ci/run installs it", what)
	}
	t.Skipf("needs %s", what)
}

// GoCaches are the host's GOCACHE, GOMODCACHE and GOPATH as KEY=value, for
// tests that give hoist a HOME of its own but must not recompile the
// standard library on every run.
func GoCaches() ([]string, error) {
	vals, err := hostGo()
	if err != nil || len(vals) != 3 {
		return nil, fmt.Errorf("asking go for its caches: %v", err)
	}
	return []string{"GOCACHE=" + vals[0], "GOMODCACHE=" + vals[1], "GOPATH=" + vals[2]}, nil
}
