package config

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// eachKey calls fn for every key of mapping m, refusing two keys that differ
// only in case: viper folds them into one and keeps whichever its map
// iteration meets last, so which one ko uses is left to chance.
func eachKey(m *yaml.Node, path string, fn func(key string, k, v *yaml.Node) error) error {
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn, v := m.Content[i], m.Content[i+1]
		if kn.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: a %s used as a key: keys are names", kn.Line, kind(kn))
		}
		lower := strings.ToLower(kn.Value)
		if prev, ok := seen[lower]; ok {
			name := kn.Value
			if path != "" {
				name = path + "." + name
			}
			return fmt.Errorf("key %q (line %d) repeats %q (line %d): ko matches keys in any case: keep one", name, kn.Line, prev.Value, prev.Line)
		}
		seen[lower] = kn
		if err := fn(kn.Value, kn, v); err != nil {
			return err
		}
	}
	return nil
}

func isNull(v *yaml.Node) bool {
	return v.Kind == yaml.ScalarNode && v.Tag == "!!null"
}

// scalar is a string value; numbers and booleans read as their text, as
// viper's weak typing reads them.
func scalar(key string, v *yaml.Node) (string, error) {
	if isNull(v) {
		return "", nil
	}
	if v.Kind == yaml.AliasNode {
		return scalar(key, v.Alias)
	}
	if v.Kind != yaml.ScalarNode {
		return "", typeErr(key, v, "a string")
	}
	return v.Value, nil
}

// list reads a list of strings, or one string turned into a list by
// fromScalar.
func list(key string, v *yaml.Node, fromScalar func(string) []string) ([]string, error) {
	if v.Kind == yaml.AliasNode {
		return list(key, v.Alias, fromScalar)
	}
	if isNull(v) {
		return nil, nil
	}
	if v.Kind == yaml.ScalarNode {
		return fromScalar(v.Value), nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, typeErr(key, v, "a list or a string")
	}
	out := make([]string, 0, len(v.Content))
	for i, e := range v.Content {
		s, err := scalar(fmt.Sprintf("%s[%d]", key, i), e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// overrides reads baseImageOverrides; viper lowercases its keys, and ko
// lowercases the import path it looks up.
func overrides(key string, v *yaml.Node) (map[string]string, error) {
	if isNull(v) {
		return nil, nil
	}
	if v.Kind != yaml.MappingNode {
		return nil, typeErr(key, v, "a mapping of import path to image")
	}
	out := map[string]string{}
	err := eachKey(v, key, func(k string, _, val *yaml.Node) error {
		s, err := scalar(key+"."+k, val)
		out[strings.ToLower(k)] = s
		return err
	})
	return out, err
}

func typeErr(key string, v *yaml.Node, want string) error {
	return fmt.Errorf("key %q (line %d): a %s where %s is wanted", key, v.Line, kind(v), want)
}

func kind(v *yaml.Node) string {
	switch v.Kind {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	case yaml.ScalarNode:
		return "string"
	}
	return "value"
}
