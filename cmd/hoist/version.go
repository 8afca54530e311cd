package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at link time by release builds (-X main.version=...);
// otherwise hoistVersion reads it from the build info the go command
// stamps: the module version for `go install ...@v1.2.3` or a `tool`
// directive, the VCS revision for a build from a checkout.
var version = "dev"

// hoistVersion is the version the CLI reports and records in SBOMs,
// provenance and its User-Agent.
func hoistVersion() string {
	bi, _ := debug.ReadBuildInfo()
	return describeVersion(version, bi)
}

func describeVersion(linked string, bi *debug.BuildInfo) string {
	if linked != "dev" && linked != "" {
		return linked
	}
	if bi == nil {
		return "dev"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var modified bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	v := "dev-" + rev[:min(12, len(rev))]
	if modified {
		v += "-dirty"
	}
	return v
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print hoist's version, VCS revision and Go version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			bi, _ := debug.ReadBuildInfo()
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionLine(hoistVersion(), bi))
			return err
		},
	}
}

// versionLine adds what a bug report needs beyond the version: the commit
// and whether the tree was modified, and the Go toolchain.
func versionLine(v string, bi *debug.BuildInfo) string {
	line := "hoist " + v
	if bi != nil {
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision":
				line += " revision " + s.Value
			case s.Key == "vcs.modified" && s.Value == "true":
				line += " (modified)"
			}
		}
	}
	return line + " " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH
}
