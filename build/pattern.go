package build

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// IsPattern reports whether arg is a go package pattern ("./...",
// "./cmd/...") rather than one package.
func IsPattern(arg string) bool {
	return strings.Contains(arg, "...")
}

// MainPackages expands a package pattern into the import paths of the main
// packages it matches, in go list's order. Libraries are left out (ko
// refuses a pattern that matches any); a pattern matching no command is an
// error, so a typo does not build nothing successfully.
func MainPackages(ctx context.Context, dir, pattern string, environ []string) ([]string, error) {
	goPath, err := lookPath("go", environ)
	if err != nil {
		return nil, fmt.Errorf("expanding %s: %w", pattern, err)
	}
	cmd := exec.CommandContext(ctx, goPath, "list", "-e", "-f", "{{if eq .Name \"main\"}}{{.ImportPath}}{{end}}", "--", pattern)
	cmd.Dir, cmd.Env = dir, environ
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := oneLine(stderr.String()); msg != "" {
			return nil, fmt.Errorf("expanding %s: %s", pattern, msg)
		}
		return nil, fmt.Errorf("expanding %s: %w", pattern, err)
	}
	mains := strings.Fields(stdout.String())
	if len(mains) == 0 {
		return nil, fmt.Errorf("%s matches no main package: hoist builds commands (package main)", pattern)
	}
	return mains, nil
}
