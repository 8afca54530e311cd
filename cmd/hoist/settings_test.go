package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/pipeline"
	"github.com/hoist-build/hoist/publish"
)

// settingsFor parses args as `hoist build` would, in dir, and merges the
// settings.
func settingsFor(t *testing.T, dir string, args ...string) (*settings, error) {
	t.Helper()
	t.Chdir(dir)
	cmd := newBuildCmd()
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	return loadSettings(cmd, buildSpec, nil)
}

// optionsFor prepares the run `hoist build args` would start in dir,
// logging to log.
func optionsFor(t *testing.T, dir string, log *slog.Logger, args ...string) (pipeline.Options, error) {
	t.Helper()
	s, err := settingsFor(t, dir, args...)
	if err != nil {
		return pipeline.Options{}, err
	}
	s.report(log)
	return s.runOptions(dir, nil, &display{log: log})
}

// inDir returns a new directory holding .hoist.yaml with file (none if
// empty), with env set and the variables hoist reads otherwise cleared.
func inDir(t *testing.T, file string, env map[string]string) string {
	t.Helper()
	clearEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	dir := t.TempDir()
	if file != "" {
		write(t, filepath.Join(dir, ".hoist.yaml"), file)
	}
	return dir
}

var quiet = slog.New(slog.DiscardHandler)

// clearEnv unsets, for the test, the variables that would change the
// settings.
func clearEnv(t *testing.T) {
	for _, k := range []string{"HOIST_REPO", "KO_DOCKER_REPO", "HOIST_PORT", "HOIST_PLATFORM", "HOIST_TAG", "SOURCE_DATE_EPOCH",
		"HOIST_INSECURE", "HOIST_INSECURE_REGISTRY", "HOIST_BASE", "KO_DEFAULTBASEIMAGE", "KO_DEFAULTPLATFORMS", "KO_CONFIG_PATH", "GOOS", "GOARCH"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func TestPrecedence(t *testing.T) {
	cases := []struct {
		name string
		file string
		env  map[string]string
		args []string
		port int
	}{
		{"default", "", nil, nil, 80},
		{"file", "port: 8080\n", nil, nil, 8080},
		{"env over file", "port: 8080\n", map[string]string{"HOIST_PORT": "9090"}, nil, 9090},
		{"flag over env", "port: 8080\n", map[string]string{"HOIST_PORT": "9090"}, []string{"--port", "7070"}, 7070},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := inDir(t, tc.file, tc.env)
			opts, err := optionsFor(t, dir, quiet, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if opts.Port != tc.port {
				t.Errorf("port = %d, want %d", opts.Port, tc.port)
			}
		})
	}
}

func TestDestination(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want any
		repo string
	}{
		{"nothing configured", nil, nil, &defaultLayout{}, ""},
		{"KO_DOCKER_REPO", map[string]string{"KO_DOCKER_REPO": "127.0.0.1:5000/ko"}, nil, &publish.Registry{}, "127.0.0.1:5000/ko/app"},
		{"HOIST_REPO wins", map[string]string{"KO_DOCKER_REPO": "127.0.0.1:5000/ko", "HOIST_REPO": "127.0.0.1:5000/hoist"}, nil, &publish.Registry{}, "127.0.0.1:5000/hoist/app"},
		{"flag wins", map[string]string{"HOIST_REPO": "127.0.0.1:5000/hoist"}, []string{"--repo", "127.0.0.1:5000/flag"}, &publish.Registry{}, "127.0.0.1:5000/flag/app"},
		{"bare", nil, []string{"--repo", "127.0.0.1:5000/x", "--bare"}, &publish.Registry{}, "127.0.0.1:5000/x"},
		{"tarball", nil, []string{"--tarball", "out.tar"}, &publish.Tarball{}, ""},
		{"layout", nil, []string{"--oci-layout", "out"}, &publish.Layout{}, ""},
		{"layout and repo", nil, []string{"--oci-layout", "out", "--repo", "127.0.0.1:5000/x"}, &publish.Multi{}, "127.0.0.1:5000/x/app"},
		{"layout and KO_DOCKER_REPO", map[string]string{"KO_DOCKER_REPO": "127.0.0.1:5000/ko"}, []string{"--oci-layout", "out"}, &publish.Multi{}, "127.0.0.1:5000/ko/app"},
		{"layout and tarball", nil, []string{"--oci-layout", "out", "--tarball", "out.tar"}, &publish.Multi{}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := optionsFor(t, inDir(t, "", tc.env), quiet, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprintf("%T", opts.Publisher) != fmt.Sprintf("%T", tc.want) {
				t.Fatalf("publisher = %T, want %T", opts.Publisher, tc.want)
			}
			reg, _ := opts.Publisher.(*publish.Registry)
			if m, ok := opts.Publisher.(*publish.Multi); ok {
				reg = m.Registry
				if want := 1 + strings.Count(strings.Join(tc.args, " "), "--tarball"); len(m.Files) != want {
					t.Errorf("%d file destinations, want %d", len(m.Files), want)
				}
			}
			if (reg != nil) != (tc.repo != "") {
				t.Fatalf("registry %v, want repository %q", reg, tc.repo)
			}
			if reg != nil {
				if repo, _ := reg.Repository("app"); repo.String() != tc.repo {
					t.Errorf("repository = %s, want %s", repo, tc.repo)
				}
			}
		})
	}
}

// badInputs are refused by hoist build before it builds anything.
var badInputs = []struct {
	name string
	file string
	args []string
	want string
}{
	{"platform", "", []string{"--platform", "linux"}, "invalid platform"},
	{"unknown platform", "", []string{"--platform", "linux/sparc"}, "linux/sparc"},
	{"repo", "", []string{"--repo", "Not/Valid"}, "invalid repository"},
	{"tag", "", []string{"--repo", "127.0.0.1:5000/x", "--tag", "-bad"}, "invalid tag"},
	{"user", "", []string{"--user", "nonroot"}, "invalid user"},
	{"label", "", []string{"--label", "novalue"}, "invalid label"},
	{"env", "", []string{"--env", "NOEQUALS"}, "invalid env"},
	{"port", "", []string{"--port", "70000"}, "invalid port"},
	{"compression", "", []string{"--compression", "lz4"}, "invalid compression"},
	{"tarball dir", "", []string{"--tarball", "/no/such/dir/x.tar"}, "does not exist"},
	{"tarball platforms", "", []string{"--tarball", "x.tar", "--platform", "linux/amd64,linux/arm64"}, "one platform"},
	{"not a layout", "", []string{"--oci-layout", "notlayout"}, "not an OCI image layout"},
	{"bare without repo", "", []string{"--bare"}, "--bare names the image after the registry repository, but none is set"},
	{"bare with a layout only", "", []string{"--bare", "--oci-layout", "out"}, "add --repo"},
	{"sbom with nothing pushed", "", []string{"--sbom", "cyclonedx"}, "--sbom sets what is attached to pushed images, and nothing is pushed"},
	{"provenance with nothing pushed", "", []string{"--tarball", "x.tar", "--provenance=false"}, "--provenance sets what is attached"},
	{"insecure with nothing pushed", "", []string{"--insecure"}, "--insecure applies to registries, and this run uses none"},
	{"timeout with nothing pushed", "", []string{"--oci-layout", "out", "--timeout", "5s"}, "--timeout applies to registries"},
	{"unknown key", "prot: 80\n", nil, `unknown key "prot"`},
	{"ill-typed key", "port: eighty\n", nil, "line 1"},
}

// TestBadInput runs the command on input it must refuse before building:
// one line naming the problem, an error, and nothing written.
func TestBadInput(t *testing.T) {
	for _, tc := range badInputs {
		t.Run(tc.name, func(t *testing.T) {
			dir := inDir(t, tc.file, nil)
			// A directory that is not an OCI layout, for --oci-layout.
			hoisttest.WriteFiles(t, dir, map[string]string{"notlayout/stray.txt": "x"})
			out, err := runHoist(t, dir, "", append([]string{"build"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if tc.file != "" && !strings.Contains(err.Error(), ".hoist.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if _, err := os.Stat(filepath.Join(dir, "dist")); err == nil {
				t.Error("a default layout was written despite the error")
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	hoisttest.WriteFiles(t, filepath.Dir(path), map[string]string{filepath.Base(path): content})
}

// badEnv are settings from the environment or flags that viper would read
// as a zero (which means "none") or ignore: each must be refused by name.
var badEnv = []struct {
	name string
	env  map[string]string
	args []string
	want string
}{
	{"word for a duration", map[string]string{"HOIST_TIMEOUT": "bogus"}, nil, `invalid HOIST_TIMEOUT "bogus"`},
	{"duration without unit", map[string]string{"HOIST_TIMEOUT": "2"}, nil, `invalid HOIST_TIMEOUT "2"`},
	{"word for a count", map[string]string{"HOIST_RETRIES": "abc"}, nil, `invalid HOIST_RETRIES "abc"`},
	{"word for a port", map[string]string{"HOIST_PORT": "abc"}, nil, `invalid HOIST_PORT "abc"`},
	{"word for a switch", map[string]string{"HOIST_NO_CACHE": "maybe"}, nil, `invalid HOIST_NO_CACHE "maybe"`},
	{"word for the TLS switch", map[string]string{"HOIST_INSECURE": "maybe"}, nil, `invalid HOIST_INSECURE "maybe": want true or false`},
	{"missing config file", nil, []string{"--config", "nothere.yaml"}, "nothere.yaml given by --config or HOIST_CONFIG: it does not exist"},
	{"missing config file from env", map[string]string{"HOIST_CONFIG": "nothere.yaml"}, nil, "it does not exist"},
	{"containerd socket without containerd", nil, []string{"--containerd-address", "/run/x.sock", "--repo", "127.0.0.1:5000/x"}, "--containerd-address applies to --repo containerd.local only"},
}

func TestBadSettingsRefused(t *testing.T) {
	for _, tc := range badEnv {
		t.Run(tc.name, func(t *testing.T) {
			dir := inDir(t, "", tc.env)
			_, err := settingsFor(t, dir, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	t.Run("valid values pass", func(t *testing.T) {
		dir := inDir(t, "", map[string]string{"HOIST_TIMEOUT": "30s", "HOIST_RETRIES": "0", "HOIST_PORT": "8080", "HOIST_NO_CACHE": "true"})
		s, err := settingsFor(t, dir)
		if err != nil {
			t.Fatal(err)
		}
		if s.build.port != 8080 {
			t.Errorf("port = %d, want 8080", s.build.port)
		}
	})
}

// TestKoBaseOverFileWarns: KO_DEFAULTBASEIMAGE beats .hoist.yaml's base
// (the environment beats files), and says so.
func TestKoBaseOverFileWarns(t *testing.T) {
	dir := inDir(t, "base: scratch\n", map[string]string{"KO_DEFAULTBASEIMAGE": "registry.example/base:1"})
	s, err := settingsFor(t, dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.build.base != "" || s.build.defaultBase != "registry.example/base:1" {
		t.Errorf("base %q, default %q: want ko's default base", s.build.base, s.build.defaultBase)
	}
	var warned []string
	for _, n := range s.notes {
		if n.level == slog.LevelWarn {
			warned = append(warned, n.msg)
		}
	}
	if !strings.Contains(strings.Join(warned, "\n"), "base scratch is overridden by KO_DEFAULTBASEIMAGE") {
		t.Errorf("warnings %q do not name the override", warned)
	}
}
