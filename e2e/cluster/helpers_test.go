package cluster

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hoist-build/hoist/internal/clustertest"
	"github.com/hoist-build/hoist/internal/hoisttest"
)

// repoRoot is the module root, two levels up from this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// binDir asks build.sh where the Kubernetes binaries live, so the version
// and cache location are stated in one place.
func binDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("bash", filepath.Join(repoRoot(t), "test", "cluster", "build.sh"), "--bin-dir").Output()
	if err != nil {
		t.Fatalf("test/cluster/build.sh --bin-dir: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// require finds the binaries a test runs, failing in CI when any is
// missing (.ci/run provides them) and skipping elsewhere.
func require(t *testing.T, k8s []string, tools ...string) map[string]string {
	t.Helper()
	hint := "run test/cluster/build.sh " + strings.Join(k8s, " ") + " and apt-get install " + strings.Join(tools, " ")
	dir := binDir(t)
	for _, name := range k8s {
		tools = append(tools, filepath.Join(dir, name))
	}
	return hoisttest.NeedTools(t, hint, tools...)
}

// controlPlane starts etcd and kube-apiserver for the test.
func controlPlane(t *testing.T) *clustertest.Cluster {
	t.Helper()
	bins := require(t, []string{"kube-apiserver"}, "etcd")
	return clustertest.Run(t, clustertest.Options{Etcd: bins["etcd"], APIServer: bins["kube-apiserver"]})
}

var (
	buildOnce sync.Once
	buildDir  string
	hoistBin  string
	buildErr  error
)

// TestMain removes the hoist binary the tests shared.
func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// hoistBinary builds the command once per test binary run.
func hoistBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "hoist-e2e-cluster-")
		if buildErr != nil {
			return
		}
		hoistBin = filepath.Join(buildDir, "hoist")
		buildErr = hoisttest.BuildHoist(repoRoot(t), hoistBin)
	})
	if buildErr != nil {
		t.Fatalf("building hoist: %v", buildErr)
	}
	return hoistBin
}

// run is one hoist invocation's outcome.
type run struct {
	stdout, stderr string
	code           int
}

// hoist runs the command in the repository root with extra environment.
func hoist(t *testing.T, env []string, args ...string) run {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(hoistBinary(t), args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = repoRoot(t), &stdout, &stderr
	cmd.Env = append(os.Environ(), env...)
	err := cmd.Run()
	r := run{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running hoist %s: %v", strings.Join(args, " "), err)
	}
	return r
}

// mustHoist runs hoist and fails the test unless it succeeds.
func mustHoist(t *testing.T, env []string, args ...string) run {
	t.Helper()
	r := hoist(t, env, args...)
	if r.code != 0 {
		t.Fatalf("hoist %s: exit %d\n%s", strings.Join(args, " "), r.code, r.stderr)
	}
	return r
}

// lines are the stderr lines that report objects: "KIND/NAME ACTION".
func (r run) reported() []string {
	var out []string
	for _, l := range strings.Split(r.stderr, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && strings.Contains(f[0], "/") && !strings.Contains(l, "=") {
			out = append(out, l)
		}
	}
	return out
}
