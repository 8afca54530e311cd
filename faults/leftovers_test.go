package faults_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestKilledRunLeftoversCleaned: a hoist SIGKILLed mid-build leaves its
// work directory (with the binary) in TMPDIR; the next run removes it.
func TestKilledRunLeftoversCleaned(t *testing.T) {
	tmp := t.TempDir()
	env := append(hermeticEnv(t), "TMPDIR="+tmp, "HOIST_CACHE="+t.TempDir())
	cmd := exec.Command(hoisttest.Binary(t), "build", "--oci-layout", filepath.Join(t.TempDir(), "oci"), "./app")
	cmd.Dir, cmd.Env = hoisttest.Root(t), env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var left []string
	for deadline := time.Now().Add(30 * time.Second); len(left) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		left, _ = filepath.Glob(filepath.Join(tmp, "hoist-work-*"))
	}
	cmd.Process.Kill()
	cmd.Wait()
	if len(left) != 1 {
		t.Fatalf("work directories while running: %v, want one", left)
	}
	if _, err := os.Stat(left[0]); err != nil {
		t.Fatalf("the killed run left nothing to clean (%v): this test proves nothing", err)
	}
	old := time.Now().Add(-10 * time.Minute)
	if err := os.Chtimes(left[0], old, old); err != nil {
		t.Fatal(err)
	}
	next := exec.Command(hoisttest.Binary(t), "build", "--oci-layout", filepath.Join(t.TempDir(), "oci"), "./app")
	next.Dir, next.Env = hoisttest.Root(t), env
	if out, err := next.CombinedOutput(); err != nil {
		t.Fatalf("next run: %v\n%s", err, out)
	}
	if after, _ := filepath.Glob(filepath.Join(tmp, "hoist-*")); len(after) != 0 {
		t.Errorf("after the next run TMPDIR still holds %v", after)
	}
}
