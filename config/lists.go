package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Strings is a list that, as in ko, may also be written as one string:
// `ldflags: -s -w` is the single entry "-s -w".
type Strings []string

// UnmarshalYAML accepts a scalar as a one-entry list.
func (s *Strings) UnmarshalYAML(n *yaml.Node) error {
	return decodeList(n, (*[]string)(s), func(v string) []string { return []string{v} })
}

// Flags is a list of go build flags that, as in ko, may also be written as
// one string split on white space: `flags: -tags=netgo -v`.
type Flags []string

// UnmarshalYAML accepts a scalar and splits it into flags.
func (f *Flags) UnmarshalYAML(n *yaml.Node) error {
	return decodeList(n, (*[]string)(f), strings.Fields)
}

func decodeList(n *yaml.Node, into *[]string, fromScalar func(string) []string) error {
	if n.Kind == yaml.ScalarNode {
		*into = fromScalar(n.Value)
		return nil
	}
	return n.Decode(into)
}

// Duration is a Go duration written as a string ("30s", "2m"): a bare
// number would be read as nanoseconds, which is never what was meant.
type Duration string

// UnmarshalYAML checks that the value parses as a duration.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if _, err := time.ParseDuration(n.Value); err != nil || n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: value %q is not a duration: write it like 30s or 2m", n.Line, n.Value)
	}
	*d = Duration(n.Value)
	return nil
}
