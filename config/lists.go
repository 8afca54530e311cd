package config

import (
	"fmt"
	"time"

	"go.yaml.in/yaml/v3"
)

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
