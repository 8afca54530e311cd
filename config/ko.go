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

// top decodes the top-level keys.
func (k *Ko) top(m *yaml.Node) error {
	return eachKey(m, "", func(key string, kn, v *yaml.Node) error {
		var err error
		switch strings.ToLower(key) {
		case "defaultbaseimage":
			k.DefaultBaseImage, err = scalar(key, v)
		case "baseimageoverrides":
			k.BaseImageOverrides, err = overrides(key, v)
		case "defaultplatforms":
			k.DefaultPlatforms, err = stringSlice(key, v)
		case "defaultenv":
			k.DefaultEnv, err = stringSlice(key, v)
		case "defaultflags":
			k.DefaultFlags, err = stringSlice(key, v)
		case "defaultldflags":
			k.DefaultLdflags, err = stringSlice(key, v)
		case "builds":
			err = k.builds(key, v)
		default:
			k.warn(kn.Line, "unknown key %q ignored (ko ignores it too)", key)
		}
		return err
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
	err := eachKey(m, path, func(key string, kn, v *yaml.Node) error {
		var err error
		p := path + "." + key
		switch strings.ToLower(key) {
		case "id":
			b.ID, err = scalar(p, v)
		case "dir":
			b.Dir, err = scalar(p, v)
		case "main":
			b.Main, err = scalar(p, v)
		case "env":
			b.Env, err = list(p, v, func(s string) []string { return []string{s} })
		case "flags":
			b.Flags, err = list(p, v, strings.Fields)
		case "ldflags":
			b.Ldflags, err = list(p, v, func(s string) []string { return []string{s} })
		case "linux_capabilities":
			b.LinuxCapabilities, err = list(p, v, strings.Fields)
		default:
			k.warn(kn.Line, "unknown key %q ignored (ko ignores it too)", p)
		}
		return err
	})
	return b, err
}
