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
	root.AddCommand(newBuildCmd(), newResolveCmd(), newManifestsCmd(), newBaseCmd(), newLoginCmd(), newVerifyCmd(),
		newSignCmd(), newKeygenCmd(), newApplyCmd(), newDeleteCmd(), newVersionCmd(), newDevCmd())
	return root
}

// logger writes human-readable records to stderr: stdout is reserved for the
// digest references that scripts consume.
func logger(cmd *cobra.Command) *slog.Logger {
	return newLogger(cmd, os.Stderr, slog.LevelInfo)
}
