package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/internal/runctest"
)

func TestMain(m *testing.M) { hoisttest.Main(m) }

// requireRuntime skips outside CI when the test cannot run here, and fails in
// CI, where a skipped end-to-end test would prove nothing.
func requireRuntime(t *testing.T) { requireTools(t, "runc") }

// hoistBinary is the command under test and the module root it builds.
func hoistBinary(t *testing.T) (bin, root string) { return hoisttest.Binary(t), hoisttest.Root(t) }

// cliEnv is the controlled environment the CLI runs in: nothing of the
// caller's HOIST_*, KO_*, GOFLAGS, GOENV file or docker config leaks in.
func cliEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	return hoisttest.Environ(t, append([]string{"DOCKER_CONFIG=" + t.TempDir()}, extra...)...)
}

// hoist runs the command and returns its stdout lines.
func hoist(t *testing.T, bin, dir string, args ...string) []string {
	t.Helper()
	return hoisttest.MustRun(t, dir, cliEnv(t), bin, args...).Lines()
}

func TestAppRunsNonRootOnPort80(t *testing.T) {
	requireRuntime(t)
	bin, root := hoistBinary(t)
	host := registrytest.New(t)
	lines := hoist(t, bin, root, "build", "--repo", host+"/e2e", "./app")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], host+"/e2e/app@sha256:") {
		t.Fatalf("stdout = %q, want one digest reference", lines)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := serve(ctx, t, registrytest.Image(t, lines[0]), runctest.Options{}, 80, "/healthz")
	checkProcess(t, c.PID())
	for path, want := range map[string]string{
		"/":            `{"Hello":"World"}`,
		"/items/5?q=x": `{"item_id":5,"q":"x"}`,
		"/items/7":     `{"item_id":7,"q":null}`,
	} {
		wantBody(ctx, t, c, path, want+"\n") // the app's JSON encoder ends each body with a newline
	}
	stopGracefully(t, c)
}

// checkProcess reads the container process's status from the host: it must
// run as 65532 with no ambient capabilities, so port 80 was bound through
// the binary's file capability alone.
func checkProcess(t *testing.T, pid int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("/proc", itoa(pid), "status"))
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(line, ":")
		fields[k] = strings.Join(strings.Fields(v), " ")
	}
	if fields["Uid"] != "65532 65532 65532 65532" {
		t.Errorf("process uids = %q, want 65532", fields["Uid"])
	}
	if fields["CapAmb"] != "0000000000000000" {
		t.Errorf("process has ambient capabilities %s", fields["CapAmb"])
	}
	if fields["CapEff"] != "0000000000000400" {
		t.Errorf("effective capabilities = %s, want only NET_BIND_SERVICE (0x400)", fields["CapEff"])
	}
}

// stopGracefully sends SIGTERM as a kubelet would and expects exit 0 within
// the app's default 10 s grace period.
func stopGracefully(t *testing.T, c *runctest.Container) {
	t.Helper()
	if err := c.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	code, err := c.Wait(ctx)
	if err != nil {
		t.Fatalf("waiting for exit after SIGTERM: %v\nlogs:\n%s", err, c.Logs())
	}
	if code != 0 {
		t.Fatalf("exit code %d after SIGTERM, want 0\nlogs:\n%s", code, c.Logs())
	}
	if !strings.Contains(c.Logs(), "shutdown complete") {
		t.Errorf("logs do not show a drained shutdown:\n%s", c.Logs())
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
