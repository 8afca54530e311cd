package hoisttest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// NeedRoot is Need for tests that run containers, mount or set file
// capabilities.
func NeedRoot(t testing.TB) {
	t.Helper()
	Need(t, os.Geteuid() == 0, "root")
}

// NeedTools is Need for commands in PATH: it returns the path of each of
// tools, by name.
func NeedTools(t testing.TB, tools ...string) map[string]string {
	t.Helper()
	found := map[string]string{}
	var missing []string
	for _, name := range tools {
		p, err := exec.LookPath(name)
		if err != nil {
			missing = append(missing, name)
			continue
		}
		found[name] = p
	}
	Need(t, len(missing) == 0, strings.Join(missing, ", ")+" in PATH")
	return found
}
