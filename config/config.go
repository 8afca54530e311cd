package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Hoist is .hoist.yaml. Keys are the long flag names of `hoist build`, so a
// setting reads the same on the command line, in HOIST_* and in the file.
type Hoist struct {
	Repo       string   `yaml:"repo"`
	Bare       bool     `yaml:"bare"`
	Tag        []string `yaml:"tag"`
	Platform   []string `yaml:"platform"`
	Port       *int     `yaml:"port"`
	User       string   `yaml:"user"`
	Base       string   `yaml:"base"`
	Label      []string `yaml:"label"`
	Env        []string `yaml:"env"`
	Annotation []string `yaml:"annotation"`
	Insecure   bool     `yaml:"insecure"`
	// InsecureRegistries is docker's daemon key; from a repository's file
	// hoist honours loopback entries only.
	InsecureRegistries []string `yaml:"insecure-registries"`
	OCILayout          string   `yaml:"oci-layout"`
	Tarball            string   `yaml:"tarball"`
	Jobs               int      `yaml:"jobs"`
	Compression        string   `yaml:"compression"`
	CACert             string   `yaml:"ca-cert"`
	Timeout            Duration `yaml:"timeout"`
	Retries            *int     `yaml:"retries"`
	CacheDir           string   `yaml:"cache-dir"`
	NoCache            bool     `yaml:"no-cache"`
	SBOM               string   `yaml:"sbom"`
	SBOMDir            string   `yaml:"sbom-dir"`
	Provenance         *bool    `yaml:"provenance"`
	Progress           string   `yaml:"progress"`
	// Images puts several commands in one image, which ko cannot (ko#251).
	Images []ImageSpec `yaml:"images"`
}

// ImageSpec is one images entry of .hoist.yaml: the image name, its
// packages (each binary at /ko-app/<last path element>) and which of them
// is the entrypoint (by that name; the first when empty).
type ImageSpec struct {
	Name       string   `yaml:"name"`
	Packages   []string `yaml:"packages"`
	Entrypoint string   `yaml:"entrypoint"`
}

// LoadHoist reads .hoist.yaml; a missing file is an empty config.
func LoadHoist(path string) (*Hoist, error) {
	var h Hoist
	return &h, load(path, &h)
}

func load(path string, into any) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(into); err != nil && !errors.Is(err, io.EOF) {
		// Values quoted in the message may span lines; the error may not.
		return fmt.Errorf("%s: %s", path, strings.ReplaceAll(describe(err, data), "\n", `\n`))
	}
	// A second document would be ignored silently, typos and all.
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: holds more than one YAML document: keep one", path)
	}
	return nil
}

var (
	unknownKey = regexp.MustCompile(`line (\d+): field (\S+) not found`)
	badType    = regexp.MustCompile(`(?s)line (\d+): cannot unmarshal !!(\w+)(?: (.*))? into (\S+)`)
)

// describe turns yaml.v3's multi-line, Go-typed messages into one line that
// speaks of keys and lines.
func describe(err error, data []byte) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return strings.ReplaceAll(err.Error(), "\n", " ")
	}
	msg := te.Errors[0]
	if m := unknownKey.FindStringSubmatch(msg); m != nil {
		return fmt.Sprintf("unknown key %q (line %s): check the spelling against the documented keys", m[2], m[1])
	}
	if m := badType.FindStringSubmatch(msg); m != nil {
		where := "line " + m[1]
		if line, _ := strconv.Atoi(m[1]); keyAt(data, line) != "" {
			where = fmt.Sprintf("key %q (line %s)", keyAt(data, line), m[1])
		}
		if m[3] == "" {
			return fmt.Sprintf("%s: a %s where %s is wanted", where, yamlKind(m[2]), goTypeWord(m[4]))
		}
		return fmt.Sprintf("%s: value %s is a %s, want %s", where, m[3], m[2], goTypeWord(m[4]))
	}
	return msg
}

func goTypeWord(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map"):
		return "a mapping"
	case t == "bool":
		return "true or false"
	case t == "int" || t == "*int":
		return "a number"
	case t == "string":
		return "a string"
	}
	return "a mapping"
}

func yamlKind(tag string) string {
	switch tag {
	case "seq":
		return "list"
	case "map":
		return "mapping"
	}
	return tag
}
