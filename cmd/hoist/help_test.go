package main

import (
	"regexp"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestFlagHelp: pflag shows a `quoted` word of a flag's help as its value
// name ("--tarball docker load"), so help text quotes nothing but value
// names in capitals.
func TestFlagHelp(t *testing.T) {
	valueName := regexp.MustCompile("^[^`]*(`[A-Z][A-Z_]*`)?[^`]*$")
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.LocalFlags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				if !valueName.MatchString(f.Usage) {
					t.Errorf("%s --%s: help %q has backquotes pflag would turn into a value name", c.CommandPath(), f.Name, f.Usage)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newRoot())
}
