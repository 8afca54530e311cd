package main

import (
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "hoist",
		Short:         "Build Go services into minimal distroless OCI images and publish them",
		Version:       hoistVersion(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().BoolP("verbose", "v", false, "log debug detail to stderr")
	root.AddCommand(newBuildCmd())
	root.AddCommand(newResolveCmd())
	root.AddCommand(newManifestsCmd())
	root.AddCommand(newBaseCmd())
	root.AddCommand(newLoginCmd())
	root.AddCommand(newVerifyCmd())
	root.AddCommand(newSignCmd())
	root.AddCommand(newKeygenCmd())
	root.AddCommand(newApplyCmd())
	root.AddCommand(newDeleteCmd())
	root.AddCommand(newVersionCmd())
	root.AddCommand(newDevCmd())
	return root
}

// logger writes human-readable records to stderr: stdout is reserved for the
// digest references that scripts consume.
func logger(cmd *cobra.Command) *slog.Logger {
	return newLogger(cmd, os.Stderr, slog.LevelInfo)
}
