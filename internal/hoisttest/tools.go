package hoisttest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// NeedTools finds each of tools on PATH and returns their paths by name;
// a missing one is Need's case: a skip here, a failure in CI.
func NeedTools(t testing.TB, tools ...string) map[string]string {
	t.Helper()
	found := map[string]string{}
	var missing []string
	for _, tool := range tools {
		p, err := exec.LookPath(tool)
		if err != nil {
			missing = append(missing, tool)
			continue
		}
		found[tool] = p
	}
	Need(t, len(missing) == 0, fmt.Sprintf("%s (missing: %s)", strings.Join(tools, ", "), strings.Join(missing, ", ")))
	return found
}

// NeedRoot is Need for root: unpacking a binary's security.capability
// xattr and running containers need it.
func NeedRoot(t testing.TB) {
	t.Helper()
	Need(t, os.Geteuid() == 0, fmt.Sprintf("root (uid %d)", os.Geteuid()))
}
