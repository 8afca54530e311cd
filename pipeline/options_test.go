package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/layers"
)

// TestKoBuild checks ko's rules for .ko.yaml: the entry whose dir+main is
// the package applies (main may name a .go file), each of its non-empty
// lists replaces the default, and linux_capabilities replaces hoist's
// default capability.
func TestKoBuild(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "file"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "file", "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ko := &config.Ko{
		DefaultEnv: []string{"A=1"}, DefaultFlags: []string{"-v"}, DefaultLdflags: []string{"-s"},
		Builds: []config.KoBuild{
			{ID: "app", Dir: ".", Main: "./app", Env: []string{"B=2"}, Ldflags: []string{"-w"}},
			{ID: "other", Main: "./other", Flags: []string{"-x"}, LinuxCapabilities: []string{"chown"}},
			{ID: "file-first", Main: "./file", Env: []string{"LOST=1"}},
			{ID: "file", Main: "./file/main.go", LinuxCapabilities: []string{}},
		},
	}
	chown, _ := layers.FileCapability([]string{"chown"})
	cases := []struct {
		pkgDir              string
		env, flags, ldflags string
		id, capability      string
	}{
		{"app", "B=2", "-v", "-w", "app", layers.DefaultCapability()},
		{"other", "A=1", "-x", "-s", "other", chown},
		{"file", "A=1", "-v", "-s", "file", ""},
		{"none", "A=1", "-v", "-s", "", layers.DefaultCapability()},
	}
	for _, tc := range cases {
		e, err := koBuild(ko, dir, filepath.Join(dir, tc.pkgDir))
		if err != nil {
			t.Fatal(err)
		}
		got := []string{strings.Join(e.Env, " "), strings.Join(e.Flags, " "), strings.Join(e.Ldflags, " "), e.ID}
		want := []string{tc.env, tc.flags, tc.ldflags, tc.id}
		if strings.Join(got, "|") != strings.Join(want, "|") || e.Capability != tc.capability {
			t.Errorf("%s: got %q cap %x, want %q cap %x", tc.pkgDir, got, e.Capability, want, tc.capability)
		}
	}
	ko.Builds[0].LinuxCapabilities = []string{"bogus"}
	if _, err := koBuild(ko, dir, filepath.Join(dir, "app")); err == nil || !strings.Contains(err.Error(), `unknown capability "bogus"`) {
		t.Errorf("bad capability: %v", err)
	}
}
