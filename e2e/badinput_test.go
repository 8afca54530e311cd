package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/internal/registrytest"
)

// badModule writes a module with one package per kind of bad input.
func badModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
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
	for name, content := range files {
		p := filepath.Join(dir, name)
		mkdir(t, filepath.Dir(p))
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mkdir(t, filepath.Join(dir, "esc", "kodata"))
	mkdir(t, filepath.Join(dir, "dangling", "kodata"))
	for link, target := range map[string]string{"esc/kodata/passwd": "/etc/passwd", "dangling/kodata/gone": "missing.txt"} {
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
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(registrytest.New(t) + "/base:amd64")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	return ref.String()
}

// TestBadInputRefused runs the real command on every kind of bad input the
// issue lists: each must exit non-zero with a one-line error naming the
// problem, print nothing on stdout, and publish nothing.
func TestBadInputRefused(t *testing.T) {
	bin, _ := hoistBinary(t)
	dir := badModule(t)
	host := registrytest.New(t)
	repo := []string{"--repo", host + "/bad"}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"compile error", []string{"./broken"}, "building example.com/bad/broken"},
		{"not main", []string{"./lib"}, "not a main package"},
		{"missing dir", []string{"./nope"}, "nope"},
		{"invalid platform", []string{"--platform", "linux", "./tmpl"}, "invalid platform"},
		{"invalid repository", []string{"--repo", "Bad Repo", "./tmpl"}, "invalid repository"},
		{"invalid tag", []string{"--tag", "-x", "./tmpl"}, "invalid tag"},
		{"unknown key", []string{"--config", "unknown.yaml", "./tmpl"}, `unknown key "prot"`},
		{"ill-typed key", []string{"--config", "typed.yaml", "./tmpl"}, `key "port"`},
		{"bad ldflags template", []string{"./tmpl"}, "expanding ldflags"},
		{"kodata symlink escaping", []string{"./esc"}, "outside kodata"},
		{"unreadable kodata file", []string{"./dangling"}, "no such file"},
		{"missing base", []string{"--base", host + "/nope:latest", "./esc"}, "not found"},
		{"base lacks platform", []string{"--base", amd64Base(t), "--platform", "linux/arm64", "./a/app"}, "not linux/arm64"},
		{"layout that is not one", []string{"--oci-layout", "notlayout", "./a/app"}, "not an OCI image layout"},
		{"tarball in missing dir", []string{"--tarball", "/no/such/dir/x.tar", "./a/app"}, "does not exist"},
		{"toolexec in .ko.yaml", []string{"./tx"}, "-toolexec runs an arbitrary program during the build: hoist refuses it, as ko does"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, append(append([]string{"build", "--progress", "plain"}, repo...), tc.args...)...)
			cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &stdout, &stderr
			cmd.Env = cliEnv(t)
			err := cmd.Run()
			if _, ok := err.(*exec.ExitError); !ok {
				t.Fatalf("exit: %v, want a non-zero exit\n%s", err, stderr.String())
			}
			lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
			last := lines[len(lines)-1]
			if !strings.HasPrefix(last, "hoist: ") || !strings.Contains(last, tc.want) {
				t.Errorf("last stderr line = %q, want a hoist error containing %q", last, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
		})
	}
	t.Run("compile error keeps go's diagnostics", func(t *testing.T) {
		cmd := exec.Command(bin, append(append([]string{"build"}, repo...), "./broken")...)
		cmd.Dir, cmd.Env = dir, cliEnv(t)
		out, _ := cmd.CombinedOutput()
		if !bytes.Contains(out, []byte("undefined: nope")) {
			t.Errorf("output lacks go's diagnostic:\n%s", out)
		}
	})
	reg, _ := name.NewRegistry(host)
	repos, err := remote.Catalog(context.Background(), reg)
	if err != nil || len(repos) != 0 {
		t.Errorf("registry holds %v (%v) after refused builds, want nothing", repos, err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "notlayout")); len(entries) != 1 {
		t.Errorf("the non-layout directory was written into: %d entries", len(entries))
	}
}
