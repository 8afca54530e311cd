package main

import (
	"os"

	"github.com/google/go-containerregistry/cmd/crane/cmd"
)

func main() {
	if err := cmd.Root.Execute(); err != nil {
		os.Exit(1)
	}
}
