package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/internal/runctest"
)

// koVersion is the ko the project promises compatibility with.
const koVersion = "v0.19.1"

// installKo installs ko from the Go module proxy into a test directory (the
// module cache makes reruns fast); ko ships no other way to get it here.
func installKo(t *testing.T) string {
	t.Helper()
	gobin := t.TempDir()
	cmd := exec.Command("go", "install", "github.com/google/ko@"+koVersion)
	cmd.Env = append(os.Environ(), "GOBIN="+gobin, "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("installing ko %s: %v\n%s", koVersion, err, out)
	}
	return filepath.Join(gobin, "ko")
}

// TestKoBuildsOnHoistBase: `hoist base` publishes the synthesized base, ko
// builds ./app on it with the repository's .ko.yaml, and the image ko
// pushed runs under runc as 65532 and answers on :80. This is the offline
// path for teams that keep ko: no base image from the internet.
func TestKoBuildsOnHoistBase(t *testing.T) {
	requireRuntime(t)
	bin, root := hoistBinary(t)
	ko := installKo(t)
	host := registrytest.New(t)
	base := hoist(t, bin, root, "base", "--bare", "--repo", host+"/base", "--platform", "linux/amd64")
	if len(base) != 1 {
		t.Fatalf("hoist base printed %q", base)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(ko, "build", "--base-import-paths", "--platform", "linux/amd64", "./app")
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, &stdout, &stderr
	cmd.Env = append(os.Environ(), "KO_DOCKER_REPO="+host+"/ko", "KO_DEFAULTBASEIMAGE="+host+"/base:latest", "KO_CONFIG_PATH=")
	if err := cmd.Run(); err != nil {
		t.Fatalf("ko build: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "Using build config app") {
		t.Errorf("ko did not use .ko.yaml's build config:\n%s", stderr.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// .ko.yaml's linux_capabilities makes ko set the same file capability
	// hoist does, so ko's image binds :80 as 65532 with containerd's
	// default capabilities too.
	c := serve(ctx, t, registrytest.Image(t, stdout.String()), runctest.Options{}, 80, "/")
	wantBody(ctx, t, c, "/", `{"Hello":"World"}`+"\n")
}
