package hoisttest

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
)

// BuildHoist builds the hoist command of the checkout at root into out, for
// tests that run the real CLI (TestMain callers use it directly).
func BuildHoist(root, out string) error {
	cmd := exec.Command("go", "build", "-o", out, "./cmd/hoist")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building hoist: %v\n%s", err, b)
	}
	return nil
}

// Hoist builds the hoist command of the checkout at root into the test's
// temporary directory and returns its path.
func Hoist(t testing.TB, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hoist")
	if err := BuildHoist(root, bin); err != nil {
		t.Fatal(err)
	}
	return bin
}
