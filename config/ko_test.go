package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const fullKo = `defaultBaseImage: cgr.dev/chainguard/static
baseImageOverrides:
  example.com/App/cmd/a: gcr.io/distroless/base
defaultPlatforms: [linux/amd64, linux/arm64]
defaultEnv: [CGO_ENABLED=0]
defaultFlags: [-trimpath]
defaultLdflags: ["-s -w"]
builds:
  - id: a
    dir: ./svc
    main: ./cmd/a
    env: [GOAMD64=v3]
    flags: [-tags=netgo]
    ldflags: ["-X main.version={{.Git.Tag}}"]
    linux_capabilities: [CAP_NET_BIND_SERVICE]
  - id: b
    main: ./cmd/b
`

// loadKoCases are .ko.yaml files and what LoadKo makes of them.
var loadKoCases = []struct {
	name    string
	data    string
	want    *Ko
	wantErr []string
}{
	{name: "missing file", data: "-", want: &Ko{}},
	{name: "empty file", data: "", want: &Ko{}},
	{name: "all keys", data: fullKo, want: &Ko{
		DefaultBaseImage:   "cgr.dev/chainguard/static",
		BaseImageOverrides: map[string]string{"example.com/app/cmd/a": "gcr.io/distroless/base"},
		DefaultPlatforms:   []string{"linux/amd64", "linux/arm64"},
		DefaultEnv:         []string{"CGO_ENABLED=0"},
		DefaultFlags:       []string{"-trimpath"},
		DefaultLdflags:     []string{"-s -w"},
		Builds: []KoBuild{
			{ID: "a", Dir: "./svc", Main: "./cmd/a", Env: []string{"GOAMD64=v3"}, Flags: []string{"-tags=netgo"},
				Ldflags: []string{"-X main.version={{.Git.Tag}}"}, LinuxCapabilities: []string{"CAP_NET_BIND_SERVICE"}, Line: 9},
			{ID: "b", Main: "./cmd/b", Line: 16},
		},
	}},
	// viper lowercases every key and mapstructure matches field names
	// in any case.
	{name: "keys in any case", data: "DefaultPlatforms: [linux/arm64]\nBUILDS:\n- ID: x\n  Main: ./x\n  LdFlags: -s\n  Linux_Capabilities: chown\n",
		want: &Ko{DefaultPlatforms: []string{"linux/arm64"}, Builds: []KoBuild{{ID: "x", Main: "./x", Ldflags: []string{"-s"}, LinuxCapabilities: []string{"chown"}, Line: 3}}}},
	// GetStringSlice splits one string on white space; in builds, env
	// becomes one entry, flags and capabilities split, ldflags stay whole.
	{name: "strings for lists", data: "defaultPlatforms: all\ndefaultEnv: A=1 B=2\ndefaultFlags: -v -x\ndefaultLdflags: -s -w\nbuilds:\n- env: C=3 D=4\n  flags: -a -b\n  ldflags: -s -w\n  linux_capabilities: net_bind_service chown\n",
		want: &Ko{DefaultPlatforms: []string{"all"}, DefaultEnv: []string{"A=1", "B=2"}, DefaultFlags: []string{"-v", "-x"},
			DefaultLdflags: []string{"-s", "-w"}, Builds: []KoBuild{{Env: []string{"C=3 D=4"}, Flags: []string{"-a", "-b"},
				Ldflags: []string{"-s -w"}, LinuxCapabilities: []string{"net_bind_service", "chown"}, Line: 6}}}},
	{name: "numbers read as text", data: "builds:\n- id: 7\n  main: ./x\n", want: &Ko{Builds: []KoBuild{{ID: "7", Main: "./x", Line: 2}}}},
	{name: "same key in two cases", data: "defaultEnv: [A=1]\ndefaultenv: [B=2]\n", wantErr: []string{`"defaultenv" (line 2) repeats "defaultEnv" (line 1)`}},
	{name: "flags mapping", data: "builds:\n  - id: a\n    flags: {a: b}\n", wantErr: []string{`key "builds[0].flags" (line 3)`, "a mapping where a list or a string is wanted"}},
	{name: "overrides not a mapping", data: "baseImageOverrides: [a]\n", wantErr: []string{`key "baseImageOverrides" (line 1)`}},
	{name: "builds not a list", data: "builds: {a: 1}\n", wantErr: []string{`key "builds" (line 1)`}},
	{name: "main a list", data: "builds:\n- main: [a]\n", wantErr: []string{`key "builds[0].main" (line 2)`}},
	{name: "not a mapping", data: "- a\n", wantErr: []string{"line 1", "want a mapping"}},
	{name: "syntax error", data: "builds:\n  - id: a\n   bad: : :\n", wantErr: []string{"yaml: line"}},
}

func TestLoadKo(t *testing.T) {
	for _, tt := range loadKoCases {
		t.Run(tt.name, func(t *testing.T) {
			got, path, failed := loadCase(t, ".ko.yaml", tt.data, LoadKo, tt.wantErr)
			if failed {
				return
			}
			if tt.data != "-" {
				tt.want.Path = path
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("LoadKo =\n%+v, want\n%+v", got, tt.want)
			}
		})
	}
}

// TestKoWarnings: what ko ignores draws one line naming file, key and line.
func TestKoWarnings(t *testing.T) {
	data := "defaultBaseImage: x\nbuildPlatforms: [linux/amd64]\nbuilds:\n- id: a\n  goos: [linux]\n  main: .\n---\nlater: 1\n"
	path := writeConfig(t, ".ko.yaml", data)
	ko, err := LoadKo(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		path + `:7: a second YAML document is ignored (ko reads the first only)`,
		path + `:2: unknown key "buildPlatforms" ignored (ko ignores it too)`,
		path + `:5: unknown key "builds[0].goos" ignored (ko ignores it too)`,
	}
	if !reflect.DeepEqual(ko.Warnings, want) {
		t.Errorf("warnings =\n%q\nwant\n%q", ko.Warnings, want)
	}
	if ko.DefaultBaseImage != "x" || len(ko.Builds) != 1 || ko.Builds[0].Main != "." {
		t.Errorf("known keys lost next to unknown ones: %+v", ko)
	}
}

func TestFindKo(t *testing.T) {
	write := func(dir, name string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dir := t.TempDir()
	if p, err := FindKo(dir, ""); p != "" || err != nil {
		t.Errorf("empty dir: %q %v", p, err)
	}
	yml := write(dir, ".ko.yml")
	if p, _ := FindKo(dir, ""); p != yml {
		t.Errorf("found %q, want .ko.yml", p)
	}
	yaml := write(dir, ".ko.yaml")
	if p, _ := FindKo(dir, ""); p != yaml {
		t.Errorf("found %q, want .ko.yaml before .ko.yml", p)
	}
	json := write(dir, ".ko.json")
	if p, _ := FindKo(dir, ""); p != json {
		t.Errorf("found %q, want .ko.json first, as viper looks", p)
	}
	write(dir, ".ko.toml")
	os.Remove(json)
	if _, err := FindKo(dir, ""); err == nil || !strings.Contains(err.Error(), "convert it to .ko.yaml") {
		t.Errorf(".ko.toml: err %v, want a refusal", err)
	}
	other := t.TempDir()
	cfg := write(other, "ko-config.yaml")
	if p, err := FindKo(dir, cfg); p != cfg || err != nil {
		t.Errorf("KO_CONFIG_PATH file: %q %v", p, err)
	}
	inDir := write(other, ".ko.yaml")
	if p, err := FindKo(dir, other); p != inDir || err != nil {
		t.Errorf("KO_CONFIG_PATH dir: %q %v", p, err)
	}
	if _, err := FindKo(dir, filepath.Join(other, "nope")); err == nil || !strings.Contains(err.Error(), "KO_CONFIG_PATH") {
		t.Errorf("missing KO_CONFIG_PATH: %v", err)
	}
}

func TestApplyKoEnv(t *testing.T) {
	env := map[string]string{
		"KO_DEFAULTBASEIMAGE": "reg/base", "KO_DEFAULTPLATFORMS": "linux/arm64 linux/amd64",
		"KO_DEFAULTLDFLAGS": "-s -w", "KO_BASEIMAGEOVERRIDES": `{"Example.com/A":"reg/a"}`,
	}
	ko := &Ko{DefaultBaseImage: "file/base", DefaultEnv: []string{"A=1"}}
	if err := ApplyKoEnv(ko, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	want := &Ko{DefaultBaseImage: "reg/base", DefaultPlatforms: []string{"linux/arm64", "linux/amd64"}, DefaultEnv: []string{"A=1"},
		DefaultLdflags: []string{"-s", "-w"}, BaseImageOverrides: map[string]string{"example.com/a": "reg/a"}}
	if !reflect.DeepEqual(ko, want) {
		t.Errorf("got %+v, want %+v", ko, want)
	}
	env = map[string]string{"KO_BUILDS": "x"}
	if err := ApplyKoEnv(ko, func(k string) string { return env[k] }); err == nil {
		t.Error("KO_BUILDS accepted")
	}
}
