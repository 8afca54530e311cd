package hoisttest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// NeedRoot is Need for tests that run containers, mount or set file
// capabilities.
func NeedRoot(t testing.TB) {
	t.Helper()
	Need(t, os.Geteuid() == 0, "root")
}

// NeedTools is Need for commands: each of tools is looked up in PATH or,
// when it names a path (a binary a script builds), there. It returns their
// paths by base name; hint tells a developer how to get what is missing.
func NeedTools(t testing.TB, hint string, tools ...string) map[string]string {
	t.Helper()
	found := map[string]string{}
	var missing []string
	for _, name := range tools {
		p, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, name)
			continue
		}
		found[filepath.Base(name)] = p
	}
	Need(t, len(missing) == 0, fmt.Sprintf("%s (%s)", strings.Join(missing, ", "), hint))
	return found
}
