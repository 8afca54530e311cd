package e2e

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// requireTools skips outside CI when the test cannot run here and fails in
// CI, where .ci/run installs every tool: a skipped consumer test there would
// let an image that containerd, skopeo or umoci reject land unnoticed. The
// tests run as root because unpacking the binary's security.capability
// xattr, and running containers, need it.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	hoisttest.NeedRoot(t)
	hoisttest.NeedTools(t, ".ci/run installs them", tools...)
}

// runTool runs a command to completion and fails the test if it fails,
// showing its stderr; it returns both streams so callers can check that a
// consumer accepted the image silently.
func runTool(t *testing.T, dir, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	// A bound on a hung tool, not a performance threshold.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

// requireSilentStderr fails when a consumer wrote anything to stderr. Any
// output counts, not only lines saying "warn": skopeo logs warnings as
// logrus `level=warning` lines, but umoci's log handler marks a warning with
// a coloured bullet only, so an empty stderr is the one check that catches
// both.
func requireSilentStderr(t *testing.T, what, stderr string) {
	t.Helper()
	if strings.TrimSpace(stderr) != "" {
		t.Errorf("%s wrote to stderr (warnings about the image?):\n%s", what, stderr)
	}
}
