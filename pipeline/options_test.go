package pipeline

import (
	"strings"
	"testing"

	"github.com/hoist-build/hoist/config"
)

// TestKoBuild checks ko's rules for .ko.yaml: the entry whose dir+main is
// the package applies, and each of its non-empty lists replaces the default.
func TestKoBuild(t *testing.T) {
	ko := &config.Ko{
		DefaultEnv: []string{"A=1"}, DefaultFlags: config.Flags{"-v"}, DefaultLdflags: config.Strings{"-s"},
		Builds: []config.KoBuild{
			{ID: "app", Dir: ".", Main: "./app", Env: []string{"B=2"}, Ldflags: config.Strings{"-w"}},
			{ID: "other", Main: "./other", Flags: config.Flags{"-x"}},
		},
	}
	cases := []struct {
		pkgDir              string
		env, flags, ldflags string
	}{
		{"/m/app", "B=2", "-v", "-w"},
		{"/m/other", "A=1", "-x", "-s"},
		{"/m/none", "A=1", "-v", "-s"},
	}
	for _, tc := range cases {
		env, flags, ldflags := koBuild(ko, "/m", tc.pkgDir)
		got := []string{strings.Join(env, " "), strings.Join(flags, " "), strings.Join(ldflags, " ")}
		want := []string{tc.env, tc.flags, tc.ldflags}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: got %q, want %q", tc.pkgDir, got, want)
				break
			}
		}
	}
}
