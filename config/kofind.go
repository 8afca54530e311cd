package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// koExts is the order in which viper, and so ko, looks for .ko.<ext>: a
// .ko.json next to a .ko.yaml wins.
var koExts = []string{"json", "toml", "yaml", "yml", "properties", "props", "prop", "hcl", "tfvars", "dotenv", "env", "ini"}

// FindKo returns the ko config file ko would read when run in dir, or ""
// when there is none. configPath is KO_CONFIG_PATH: a file, or a directory
// holding .ko.yaml. Only the YAML (and JSON, which YAML reads) forms are
// read; a config in another viper format is refused rather than skipped.
func FindKo(dir, configPath string) (string, error) {
	if configPath != "" {
		return koConfigPath(configPath)
	}
	for _, ext := range koExts {
		p := filepath.Join(dir, ".ko."+ext)
		fi, err := os.Stat(p)
		if err != nil || fi.IsDir() {
			continue
		}
		return p, readable(p)
	}
	return "", nil
}

func koConfigPath(p string) (string, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return "", fmt.Errorf("KO_CONFIG_PATH %s: %w", p, err)
	}
	if fi.IsDir() {
		p = filepath.Join(p, ".ko.yaml")
		if fi, err = os.Stat(p); err != nil {
			return "", fmt.Errorf("KO_CONFIG_PATH: %w", err)
		}
	}
	if !fi.Mode().IsRegular() {
		return "", fmt.Errorf("KO_CONFIG_PATH: %s is not a regular file", p)
	}
	return p, readable(p)
}

// readable refuses the viper formats hoist does not parse.
func readable(p string) error {
	switch ext := strings.TrimPrefix(filepath.Ext(p), "."); ext {
	case "yaml", "yml", "json":
		return nil
	case "":
		return fmt.Errorf("%s: a ko config needs an extension (.yaml): ko refuses it too", p)
	default:
		return fmt.Errorf("%s: ko reads this %s file, hoist reads only YAML or JSON ko configs: convert it to .ko.yaml", p, ext)
	}
}

// ApplyKoEnv applies the KO_* variables ko's viper reads over the file, as
// ko does: KO_DEFAULTBASEIMAGE, KO_DEFAULTPLATFORMS, KO_DEFAULTENV,
// KO_DEFAULTFLAGS, KO_DEFAULTLDFLAGS (lists split on white space) and
// KO_BASEIMAGEOVERRIDES (a JSON object). getenv is os.Getenv in the CLI.
func ApplyKoEnv(k *Ko, getenv func(string) string) error {
	if v := getenv("KO_DEFAULTBASEIMAGE"); v != "" {
		k.DefaultBaseImage = v
	}
	for name, dst := range map[string]*[]string{
		"KO_DEFAULTPLATFORMS": &k.DefaultPlatforms, "KO_DEFAULTENV": &k.DefaultEnv,
		"KO_DEFAULTFLAGS": &k.DefaultFlags, "KO_DEFAULTLDFLAGS": &k.DefaultLdflags,
	} {
		if v := strings.Fields(getenv(name)); len(v) > 0 {
			*dst = v
		}
	}
	if v := getenv("KO_BASEIMAGEOVERRIDES"); v != "" {
		var m map[string]string
		if err := json.Unmarshal([]byte(v), &m); err != nil {
			return fmt.Errorf("KO_BASEIMAGEOVERRIDES: want a JSON object of import path to image: %w", err)
		}
		k.BaseImageOverrides = map[string]string{}
		for ip, ref := range m {
			k.BaseImageOverrides[strings.ToLower(ip)] = ref
		}
	}
	if getenv("KO_BUILDS") != "" {
		return fmt.Errorf("KO_BUILDS is set: ko cannot read builds from the environment and neither can hoist: unset it and use .ko.yaml")
	}
	return nil
}

// HasTemplate reports whether any template of the config mentions field
// (e.g. ".Date"), so a caller can warn where hoist's answer differs.
func (k *Ko) HasTemplate(field string) bool {
	lists := [][]string{k.DefaultFlags, k.DefaultLdflags}
	for _, b := range k.Builds {
		lists = append(lists, b.Flags, b.Ldflags)
	}
	for _, l := range lists {
		for _, s := range l {
			if strings.Contains(s, "{{") && strings.Contains(s, field) {
				return true
			}
		}
	}
	return false
}
