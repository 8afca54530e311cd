package main

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/base"
)

// TestKoPrecedence: base and platforms come from the flag, then HOIST_*,
// then KO_*, then .hoist.yaml, then .ko.yaml; ko's baseImageOverrides
// apply unless a base was given to hoist.
func TestKoPrecedence(t *testing.T) {
	const koFile = "defaultBaseImage: reg/ko-file\ndefaultPlatforms: linux/arm64\nbaseImageOverrides:\n  Example.com/A: reg/override\n"
	cases := []struct {
		name, hoistFile, koFile string
		env                     map[string]string
		args                    []string
		base, defaultBase       string
		platforms               string
		overrides               bool
	}{
		{name: "nothing", platforms: "linux/amd64"},
		{name: ".ko.yaml", koFile: koFile, defaultBase: "reg/ko-file", platforms: "linux/arm64", overrides: true},
		{name: ".hoist.yaml over .ko.yaml", koFile: koFile, hoistFile: "base: reg/hoist-file\nplatform: [linux/s390x]\n", base: "reg/hoist-file", platforms: "linux/s390x"},
		{name: "KO env over .hoist.yaml", koFile: koFile, hoistFile: "base: reg/hoist-file\nplatform: [linux/s390x]\n",
			env: map[string]string{"KO_DEFAULTBASEIMAGE": "reg/ko-env", "KO_DEFAULTPLATFORMS": "linux/ppc64le"}, defaultBase: "reg/ko-env", platforms: "linux/ppc64le", overrides: true},
		{name: "HOIST env over KO env", koFile: koFile,
			env:  map[string]string{"KO_DEFAULTBASEIMAGE": "reg/ko-env", "HOIST_BASE": "reg/hoist-env", "HOIST_PLATFORM": "linux/riscv64", "KO_DEFAULTPLATFORMS": "linux/ppc64le"},
			base: "reg/hoist-env", platforms: "linux/riscv64"},
		{name: "flag over all", koFile: koFile, env: map[string]string{"HOIST_BASE": "reg/hoist-env", "HOIST_PLATFORM": "linux/riscv64"},
			args: []string{"--base", "scratch", "--platform", "linux/amd64,linux/arm64"}, base: "scratch", platforms: "linux/amd64 linux/arm64"},
		{name: "all from .ko.yaml", koFile: "defaultPlatforms: all\n", platforms: strings.Join(base.AllPlatforms, " ")},
		{name: ".ko.yml and any-case keys", koFile: "-", platforms: "linux/arm/v7", defaultBase: "reg/yml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := inDir(t, tc.hoistFile, tc.env)
			switch tc.koFile {
			case "":
			case "-":
				write(t, filepath.Join(dir, ".ko.yml"), "DEFAULTBASEIMAGE: reg/yml\nDefaultPlatforms: [linux/arm/v7]\n")
			default:
				write(t, filepath.Join(dir, ".ko.yaml"), tc.koFile)
			}
			opts, err := optionsFor(t, dir, quiet, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			var ps []string
			for _, p := range opts.Platforms {
				ps = append(ps, p.String())
			}
			if opts.Base != tc.base || opts.DefaultBase != tc.defaultBase || strings.Join(ps, " ") != tc.platforms ||
				(opts.BaseOverrides["example.com/a"] == "reg/override") != tc.overrides {
				t.Errorf("base %q default %q overrides %v platforms %q; want %q %q %v %q",
					opts.Base, opts.DefaultBase, opts.BaseOverrides, ps, tc.base, tc.defaultBase, tc.overrides, tc.platforms)
			}
		})
	}
}

// TestKoWarningsPrinted: unknown .ko.yaml keys and the .Date difference
// reach the log, one line each, naming the file and line.
func TestKoWarningsPrinted(t *testing.T) {
	clearEnv(t)
	t.Setenv("KO_CONFIG_PATH", "")
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".ko.yaml"), "defaultLabels: {a: b}\nbuilds:\n- main: .\n  ldflags: -X main.d={{.Date}}\n- id: gone\n  main: ./missing\n- id: nested\n  dir: sub\n")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "sub", "go.mod"), "module example.com/sub\n")
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	if _, err := optionsFor(t, dir, log); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`.ko.yaml:1: unknown key \"defaultLabels\" ignored`, `{{.Date}}/{{.Timestamp}} is 1970-01-01T00:00:00Z`, `.ko.yaml:5: builds[1] (id \"gone\") names missing, which does not exist`,
		`.ko.yaml:7: builds[2] (id \"nested\") has dir sub, a module of its own`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	buf.Reset()
	optionsFor(t, dir, log)
	if strings.Contains(buf.String(), "{{.Date}}") {
		t.Errorf("warned about .Date although SOURCE_DATE_EPOCH is set:\n%s", buf.String())
	}
	// ko formats .Date in the local zone: outside UTC the binaries differ.
	local := time.Local
	defer func() { time.Local = local }()
	time.Local = time.FixedZone("X", 3600)
	buf.Reset()
	optionsFor(t, dir, log)
	if !strings.Contains(buf.String(), "{{.Date}} is 2023-11-14T22:13:20Z in UTC, where ko writes it in the local time zone") {
		t.Errorf("no warning about the time zone:\n%s", buf.String())
	}
}
