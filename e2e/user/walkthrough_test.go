package user

import (
	"archive/zip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/registrytest"
)

// proxyVersion is the version the test's module proxy serves this checkout
// as, so `go install ...@latest` installs it as a user's would be.
const proxyVersion = "v0.1.0"

// TestREADMEWalkthrough runs the README's install lines and its
// first-five-minutes block as written, on a module proxy that serves this
// checkout and a local registry, and checks what each step printed.
func TestREADMEWalkthrough(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	host := registrytest.New(t)
	bin := t.TempDir()
	env := append(userEnv(t), "GOPROXY=file://"+moduleProxy(t), "GOSUMDB=off", "GOBIN="+bin,
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	out := runBlock(t, t.TempDir(), env, block(t, readme, "install"))
	if !strings.Contains(out, "hoist "+proxyVersion+" ") {
		t.Errorf("the installed hoist does not report %s:\n%s", proxyVersion, out)
	}
	pinned := t.TempDir()
	runBlock(t, pinned, env, "go mod init example.com/pinned")
	if out := runBlock(t, pinned, env, block(t, readme, "tool")); !strings.Contains(out, "hoist "+proxyVersion+" ") {
		t.Errorf("go tool hoist does not report %s:\n%s", proxyVersion, out)
	}

	walk := block(t, readme, "walkthrough")
	if !strings.Contains(walk, "ghcr.io/you") {
		t.Fatal("the walkthrough no longer names ghcr.io/you, which the test replaces")
	}
	out = runBlock(t, t.TempDir(), env, strings.ReplaceAll(walk, "ghcr.io/you", host+"/you"))
	for _, want := range []string{
		`(?m)^dist/oci@sha256:[0-9a-f]{64}$`,
		`(?m)^` + regexp.QuoteMeta(host) + `/you/hello@sha256:[0-9a-f]{64}$`,
		`(?m)^ +(- )?image: ` + regexp.QuoteMeta(host) + `/you/hello@sha256:[0-9a-f]{64}$`,
		`(?m)^ +- containerPort: 8080$`,
		`(?m)^ +path: /healthz$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("the walkthrough's output lacks %s:\n%s", want, out)
		}
	}
}

// block returns the first ```sh block after the <!-- name marker.
func block(t *testing.T, readme []byte, name string) string {
	t.Helper()
	s := string(readme)
	i := strings.Index(s, "<!-- "+name)
	if i < 0 {
		t.Fatalf("README has no <!-- %s marker", name)
	}
	s = s[i:]
	start := strings.Index(s, "```sh\n")
	end := strings.Index(s[start+6:], "\n```\n")
	if start < 0 || end < 0 {
		t.Fatalf("no ```sh block after <!-- %s", name)
	}
	return s[start+6 : start+6+end+1]
}

// runBlock runs a shell block with bash -e in dir and returns its stdout
// and stderr together, failing the test if any command fails.
func runBlock(t *testing.T, dir string, env []string, script string) string {
	t.Helper()
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("running\n%s\nfailed: %v\n%s", script, err, out)
	}
	return string(out)
}

// moduleProxy writes a GOPROXY directory serving this checkout's tracked
// files as github.com/hoist-build/hoist at proxyVersion.
func moduleProxy(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	files, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Fatalf("listing the checkout: %v", err)
	}
	const mod = "github.com/hoist-build/hoist"
	proxy := t.TempDir()
	dir := filepath.Join(proxy, mod, "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"list": proxyVersion + "\n", proxyVersion + ".mod": string(gomod),
		proxyVersion + ".info": `{"Version":"` + proxyVersion + `","Time":"2026-11-30T00:00:00Z"}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(dir, proxyVersion+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, name := range strings.Split(strings.TrimRight(string(files), "\x00"), "\x00") {
		// A directory with its own go.mod is another module.
		if strings.HasPrefix(name, "test/cluster/kube/") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the work tree
		}
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(mod + "@" + proxyVersion + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return proxy
}
