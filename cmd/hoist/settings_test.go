package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/hoist-build/hoist/publish"
)

// settingsFor parses args as `hoist build` would, in dir.
func settingsFor(t *testing.T, dir string, args ...string) (*cobra.Command, *settings, error) {
	t.Helper()
	t.Chdir(dir)
	cmd := newBuildCmd()
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatal(err)
	}
	s, err := loadSettings(cmd.Flags())
	return cmd, s, err
}

var quiet = slog.New(slog.DiscardHandler)

func clearEnv(t *testing.T) {
	for _, k := range []string{"HOIST_REPO", "KO_DOCKER_REPO", "HOIST_PORT", "HOIST_PLATFORM", "HOIST_TAG", "SOURCE_DATE_EPOCH"} {
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
			clearEnv(t)
			dir := t.TempDir()
			if tc.file != "" {
				write(t, filepath.Join(dir, ".hoist.yaml"), tc.file)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, s, err := settingsFor(t, dir, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			opts, err := s.pipelineOptions(dir, nil, quiet)
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
			clearEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			dir := t.TempDir()
			_, s, err := settingsFor(t, dir, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			opts, err := s.pipelineOptions(dir, nil, quiet)
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

// TestBadInput runs the command on input it must refuse before building:
// one line naming the problem, an error, and nothing written.
func TestBadInput(t *testing.T) {
	notLayout := t.TempDir()
	write(t, filepath.Join(notLayout, "stray.txt"), "x")
	cases := []struct {
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
		{"not a layout", "", []string{"--oci-layout", notLayout}, "not an OCI image layout"},
		{"bare without repo", "", []string{"--bare"}, "--bare names the image after the registry repository, but none is set"},
		{"bare with a layout only", "", []string{"--bare", "--oci-layout", "out"}, "add --repo"},
		{"sbom with nothing pushed", "", []string{"--sbom", "cyclonedx"}, "--sbom sets what is attached to pushed images, and nothing is pushed"},
		{"provenance with nothing pushed", "", []string{"--tarball", "x.tar", "--provenance=false"}, "--provenance sets what is attached"},
		{"insecure with nothing pushed", "", []string{"--insecure"}, "--insecure applies to registries, and this run uses none"},
		{"timeout with nothing pushed", "", []string{"--oci-layout", "out", "--timeout", "5s"}, "--timeout applies to registries"},
		{"unknown key", "prot: 80\n", nil, `unknown key "prot"`},
		{"ill-typed key", "port: eighty\n", nil, "line 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			clearEnv(t)
			dir := t.TempDir()
			if tc.file != "" {
				write(t, filepath.Join(dir, ".hoist.yaml"), tc.file)
			}
			t.Chdir(dir)
			root := newRoot()
			var stdout bytes.Buffer
			root.SetOut(&stdout)
			root.SetErr(io.Discard)
			root.SetArgs(append([]string{"build"}, tc.args...))
			err := root.Execute()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
			if tc.file != "" && !strings.Contains(err.Error(), ".hoist.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "dist")); err == nil {
				t.Error("a default layout was written despite the error")
			}
		})
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
