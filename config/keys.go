package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// keyAt names the key whose value starts on line, as a path such as
// "builds[0].flags", so a type error can say which setting is wrong; yaml's
// own message only gives the line.
func keyAt(data []byte, line int) string {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return ""
	}
	return findKey(doc.Content[0], "", line)
}

func findKey(n *yaml.Node, path string, line int) string {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			// The outermost value on the line is the one yaml complains
			// about: in flow style its children share the line.
			if v.Line == line {
				return p
			}
			if deeper := findKey(v, p, line); deeper != "" {
				return deeper
			}
		}
	case yaml.SequenceNode:
		for i, v := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if v.Line == line && v.Kind == yaml.ScalarNode {
				return p
			}
			if deeper := findKey(v, p, line); deeper != "" {
				return deeper
			}
		}
	}
	return ""
}
