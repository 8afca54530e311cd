package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Ko is .ko.yaml as ko v0.19.1 reads it. ko reads the file through viper
// and mapstructure, which makes it lenient: keys match whatever their case,
// list keys also take one string, and keys ko does not know are ignored.
// hoist reads it the same way but turns every ignored key into a warning.
type Ko struct {
	// Path is the file read; empty when there is none.
	Path             string
	DefaultBaseImage string
	// BaseImageOverrides maps an import path, lowercased as viper leaves
	// it, to a base image reference.
	BaseImageOverrides map[string]string
	DefaultPlatforms   []string
	DefaultEnv         []string
	DefaultFlags       []string
	DefaultLdflags     []string
	Builds             []KoBuild
	// Warnings are one line each, naming the file, the key and its line:
	// what ko ignores silently and hoist ignores aloud.
	Warnings []string
}

// KoBuild is one entry of .ko.yaml's builds.
type KoBuild struct {
	ID                string
	Dir               string
	Main              string
	Env               []string
	Flags             []string
	Ldflags           []string
	LinuxCapabilities []string
	// Line is where the entry starts, for messages about it.
	Line int
}

// LoadKo reads a ko config file; a missing file is an empty config.
func LoadKo(path string) (*Ko, error) {
	ko := &Ko{}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return ko, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	ko.Path = path
	if err := ko.parse(data); err != nil {
		return nil, fmt.Errorf("%s: %s", path, strings.ReplaceAll(err.Error(), "\n", `\n`))
	}
	return ko, nil
}

func (k *Ko) parse(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	// viper reads the first document only.
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		k.warn(extra.Line, "a second YAML document is ignored (ko reads the first only)")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return nil
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: the file is a %s, want a mapping of keys", root.Line, kind(root))
	}
	return k.top(root)
}

func (k *Ko) warn(line int, format string, args ...any) {
	k.Warnings = append(k.Warnings, fmt.Sprintf("%s:%d: %s", k.Path, line, fmt.Sprintf(format, args...)))
}

// top decodes the top-level keys. The lists are read as viper's
// GetStringSlice does: a lone string splits on white space.
func (k *Ko) top(m *yaml.Node) error {
	fields := map[string]field{
		"defaultbaseimage": {str: &k.DefaultBaseImage},
		"defaultplatforms": {list: &k.DefaultPlatforms, split: strings.Fields},
		"defaultenv":       {list: &k.DefaultEnv, split: strings.Fields},
		"defaultflags":     {list: &k.DefaultFlags, split: strings.Fields},
		"defaultldflags":   {list: &k.DefaultLdflags, split: strings.Fields},
	}
	return k.decodeFields(m, "", fields, func(lower, key string, v *yaml.Node) (bool, error) {
		switch lower {
		case "baseimageoverrides":
			var err error
			k.BaseImageOverrides, err = overrides(key, v)
			return true, err
		case "builds":
			return true, k.builds(key, v)
		}
		return false, nil
	})
}

func (k *Ko) builds(key string, v *yaml.Node) error {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		return typeErr(key, v, "a list")
	}
	for i, e := range v.Content {
		path := fmt.Sprintf("%s[%d]", key, i)
		if isNull(e) {
			k.Builds = append(k.Builds, KoBuild{Line: e.Line})
			continue
		}
		if e.Kind != yaml.MappingNode {
			return typeErr(path, e, "a mapping")
		}
		b, err := k.build(path, e)
		if err != nil {
			return err
		}
		k.Builds = append(k.Builds, b)
	}
	return nil
}

// build decodes one builds entry as mapstructure does: field names match
// in any case, env lifts a single string into a list, flags and
// linux_capabilities split one string on white space, ldflags keeps it whole.
func (k *Ko) build(path string, m *yaml.Node) (KoBuild, error) {
	b := KoBuild{Line: m.Line}
	err := k.decodeFields(m, path, map[string]field{
		"id":                 {str: &b.ID},
		"dir":                {str: &b.Dir},
		"main":               {str: &b.Main},
		"env":                {list: &b.Env, split: whole},
		"flags":              {list: &b.Flags, split: strings.Fields},
		"ldflags":            {list: &b.Ldflags, split: whole},
		"linux_capabilities": {list: &b.LinuxCapabilities, split: strings.Fields},
	}, nil)
	return b, err
}

// field is where one key's value goes: a string, or a list, which a lone
// string becomes through split.
type field struct {
	str   *string
	list  *[]string
	split func(string) []string
}

// whole keeps a lone string as a list's one entry.
func whole(s string) []string { return []string{s} }

// decodeFields decodes the keys of m (at path) into fields, matched in any
// case as mapstructure does; other, when set, takes the keys of other
// shapes, and any key left draws a warning.
func (k *Ko) decodeFields(m *yaml.Node, path string, fields map[string]field, other func(lower, key string, v *yaml.Node) (bool, error)) error {
	return eachKey(m, path, func(key string, kn, v *yaml.Node) error {
		p := key
		if path != "" {
			p = path + "." + key
		}
		lower := strings.ToLower(key)
		if f, ok := fields[lower]; ok {
			var err error
			if f.str != nil {
				*f.str, err = scalar(p, v)
			} else {
				*f.list, err = list(p, v, f.split)
			}
			return err
		}
		if other != nil {
			if done, err := other(lower, key, v); done {
				return err
			}
		}
		k.warn(kn.Line, "unknown key %q ignored (ko ignores it too)", p)
		return nil
	})
}
