package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
)

// badFiles are a module with one package per kind of bad input.
var badFiles = map[string]string{
	"go.mod":           "module example.com/bad\n\ngo 1.26\n",
	"broken/main.go":   "package main\n\nfunc main() { nope() }\n",
	"lib/lib.go":       "package lib\n",
	"tmpl/main.go":     "package main\n\nvar v string\n\nfunc main() { println(v) }\n",
	"esc/main.go":      "package main\n\nfunc main() {}\n",
	"dangling/main.go": "package main\n\nfunc main() {}\n",
	"a/app/main.go":    "package main\n\nfunc main() {}\n",
	"b/app/main.go":    "package main\n\nfunc main() {}\n",
	"tx/main.go":       "package main\n\nfunc main() {}\n",
	".ko.yaml":         "builds:\n- id: tmpl\n  main: ./tmpl\n  ldflags: [\"-X main.v={{.Bogus}}\"]\n- id: tx\n  main: ./tx\n  flags: [-toolexec, /bin/true]\n",
	"unknown.yaml":     "prot: 80\n",
	"typed.yaml":       "port: eighty\n",
	"notlayout/x.txt":  "not a layout\n",
}

// badModule writes badFiles and the kodata symlinks no map can hold.
func badModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	hoisttest.WriteFiles(t, dir, badFiles)
	for link, target := range map[string]string{"esc/kodata/passwd": "/etc/passwd", "dangling/kodata/gone": "missing.txt"} {
		mkdir(t, filepath.Dir(filepath.Join(dir, link)))
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// amd64Base pushes a linux/amd64-only image to its own registry, so a build
// for arm64 on it must be refused.
func amd64Base(t *testing.T) string {
	t.Helper()
	ref := registrytest.New(t) + "/base:amd64"
	registrytest.Write(t, ref, registrytest.PlatformImage(t, v1.Platform{OS: "linux", Architecture: "amd64"}))
	return ref
}

// badInputs are the kinds of bad input the issue lists, with what the
// error must say; host is the test registry, base an amd64-only image.
func badInputs(host, base string) []struct {
	name, want string
	args       []string
} {
	return []struct {
		name, want string
		args       []string
	}{
		{"compile error", "building example.com/bad/broken", []string{"./broken"}},
		{"not main", "not a main package", []string{"./lib"}},
		{"missing dir", "nope", []string{"./nope"}},
		{"invalid platform", "invalid platform", []string{"--platform", "linux", "./tmpl"}},
		{"invalid repository", "invalid repository", []string{"--repo", "Bad Repo", "./tmpl"}},
		{"invalid tag", "invalid tag", []string{"--tag", "-x", "./tmpl"}},
		{"unknown key", `unknown key "prot"`, []string{"--config", "unknown.yaml", "./tmpl"}},
		{"ill-typed key", `key "port"`, []string{"--config", "typed.yaml", "./tmpl"}},
		{"bad ldflags template", "expanding ldflags", []string{"./tmpl"}},
		{"kodata symlink escaping", "outside kodata", []string{"./esc"}},
		{"unreadable kodata file", "no such file", []string{"./dangling"}},
		{"missing base", "not found", []string{"--base", host + "/nope:latest", "./esc"}},
		{"base lacks platform", "not linux/arm64", []string{"--base", base, "--platform", "linux/arm64", "./a/app"}},
		{"layout that is not one", "not an OCI image layout", []string{"--oci-layout", "notlayout", "./a/app"}},
		{"tarball in missing dir", "does not exist", []string{"--tarball", "/no/such/dir/x.tar", "./a/app"}},
		{"toolexec in .ko.yaml", "-toolexec runs an arbitrary program during the build: hoist refuses it, as ko does", []string{"./tx"}},
	}
}

// TestBadInputRefused runs the real command on every kind of bad input the
// issue lists: each must exit non-zero with a one-line error naming the
// problem, print nothing on stdout, and publish nothing.
func TestBadInputRefused(t *testing.T) {
	bin := hoisttest.Binary(t)
	dir := badModule(t)
	host := registrytest.New(t)
	repo := []string{"--repo", host + "/bad"}
	for _, tc := range badInputs(host, amd64Base(t)) {
		t.Run(tc.name, func(t *testing.T) {
			r := hoisttest.Run(t, dir, cliEnv(t), bin, append(append([]string{"build", "--progress", "plain"}, repo...), tc.args...)...)
			if r.Code == 0 {
				t.Fatalf("exit 0, want a non-zero exit\n%s", r.Stderr)
			}
			if last := r.LastLine(); !strings.HasPrefix(last, "hoist: ") || !strings.Contains(last, tc.want) {
				t.Errorf("last stderr line = %q, want a hoist error containing %q", last, tc.want)
			}
			if r.Stdout != "" {
				t.Errorf("stdout = %q, want nothing", r.Stdout)
			}
		})
	}
	t.Run("compile error keeps go's diagnostics", func(t *testing.T) {
		r := hoisttest.Run(t, dir, cliEnv(t), bin, append(append([]string{"build"}, repo...), "./broken")...)
		if !strings.Contains(r.Stdout+r.Stderr, "undefined: nope") {
			t.Errorf("output lacks go's diagnostic:\n%s%s", r.Stdout, r.Stderr)
		}
	})
	if repos := registrytest.Catalog(t, host); len(repos) != 0 {
		t.Errorf("registry holds %v after refused builds, want nothing", repos)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "notlayout")); len(entries) != 1 {
		t.Errorf("the non-layout directory was written into: %d entries", len(entries))
	}
}
