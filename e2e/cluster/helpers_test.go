package cluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/dynamic"

	"github.com/hoist-build/hoist/internal/clustertest"
	"github.com/hoist-build/hoist/internal/hoisttest"
)

// binDir asks build.sh where the Kubernetes binaries live, so the version
// and cache location are stated in one place.
func binDir(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("bash", filepath.Join(hoisttest.Root(t), "test", "cluster", "build.sh"), "--bin-dir").Output()
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

// controlPlane starts etcd and kube-apiserver for the test, and gives a
// client of any kind of object to look at what hoist did.
func controlPlane(t *testing.T) (*clustertest.Cluster, dynamic.Interface) {
	t.Helper()
	bins := require(t, []string{"kube-apiserver"}, "etcd")
	c := clustertest.Run(t, clustertest.Options{Etcd: bins["etcd"], APIServer: bins["kube-apiserver"]})
	return c, dynamic.NewForConfigOrDie(c.Config)
}

func TestMain(m *testing.M) { hoisttest.Main(m) }

// hoist runs the command in the repository root with extra environment.
func hoist(t *testing.T, env []string, args ...string) hoisttest.Result {
	t.Helper()
	return hoisttest.Run(t, hoisttest.Root(t), append(os.Environ(), env...), hoisttest.Binary(t), args...)
}

// mustHoist runs hoist and fails the test unless it succeeds.
func mustHoist(t *testing.T, env []string, args ...string) hoisttest.Result {
	t.Helper()
	return hoisttest.MustRun(t, hoisttest.Root(t), append(os.Environ(), env...), hoisttest.Binary(t), args...)
}

// reported are the stderr lines that report objects: "KIND/NAME ACTION".
func reported(r hoisttest.Result) []string {
	var out []string
	for _, l := range strings.Split(r.Stderr, "\n") {
		if f := strings.Fields(l); len(f) >= 2 && strings.Contains(f[0], "/") && !strings.Contains(l, "=") {
			out = append(out, l)
		}
	}
	return out
}
