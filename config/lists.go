package config

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// Strings is a list that, as in ko, may also be written as one string:
// `ldflags: -s -w` is the single entry "-s -w".
type Strings []string

// UnmarshalYAML accepts a scalar as a one-entry list.
func (s *Strings) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*s = Strings{n.Value}
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*s = l
	return nil
}

// Flags is a list of go build flags that, as in ko, may also be written as
// one string split on white space: `flags: -tags=netgo -v`.
type Flags []string

// UnmarshalYAML accepts a scalar and splits it into flags.
func (f *Flags) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		*f = strings.Fields(n.Value)
		return nil
	}
	var l []string
	if err := n.Decode(&l); err != nil {
		return err
	}
	*f = l
	return nil
}
