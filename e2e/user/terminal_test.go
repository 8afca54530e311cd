package user

import (
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/ptytest"
)

// TestTerminalKeepsReference builds on a real terminal, where the live
// display redraws itself, and checks the screen a user sees at the end: the
// image reference printed on stdout must still be there, below the final
// state of the display.
func TestTerminalKeepsReference(t *testing.T) {
	dir := service(t, nil)
	const rows, cols = 24, 100
	cmd := exec.Command(hoisttest.Binary(t), "build", "--oci-layout", "out")
	cmd.Dir, cmd.Env = dir, userEnv(t)
	out, err := ptytest.Run(cmd, rows, cols)
	if err != nil {
		t.Fatalf("hoist build on a terminal: %v\n%s", err, out)
	}
	screen, err := ptytest.Render(out, rows, cols)
	if err != nil {
		t.Fatalf("rendering %q: %v", out, err)
	}
	ref := regexp.MustCompile(`^out@sha256:[0-9a-f]{64}$`)
	last := len(screen) - 1
	if last < 1 || !ref.MatchString(screen[last]) {
		t.Fatalf("the last line on screen is not the image reference; screen:\n%s", strings.Join(screen, "\n"))
	}
	done := regexp.MustCompile(`^hello +done$`)
	if !slices.ContainsFunc(screen[:last], done.MatchString) {
		t.Errorf("the display's final state (hello done) is not on screen:\n%s", strings.Join(screen, "\n"))
	}
}
