package user

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// TestTarballDigest: the digest hoist prints for a tarball is the one
// skopeo reports when it reads the file.
func TestTarballDigest(t *testing.T) {
	skopeo := hoisttest.NeedTools(t, "apt-get install skopeo", "skopeo")["skopeo"]
	dir := service(t, nil)
	r := hoist(t, dir, userEnv(t), "build", "--tarball", "hello.tar")
	if r.Code != 0 {
		t.Fatalf("exit %d:\n%s", r.Code, r.Stderr)
	}
	printed, ok := strings.CutPrefix(strings.TrimSpace(r.Stdout), "hello.tar@")
	if !ok {
		t.Fatalf("stdout = %q, want hello.tar@DIGEST", r.Stdout)
	}
	out, err := exec.Command(skopeo, "inspect", "docker-archive:"+filepath.Join(dir, "hello.tar")).Output()
	if err != nil {
		t.Fatalf("skopeo inspect: %v", err)
	}
	var info struct{ Digest string }
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatal(err)
	}
	if info.Digest != printed {
		t.Errorf("hoist printed %s, skopeo reports %s", printed, info.Digest)
	}
}

// TestCgoPackageHint builds a package that only compiles with cgo: the
// error must say why and what to set, and nothing is written.
func TestCgoPackageHint(t *testing.T) {
	dir := service(t, map[string]string{
		"main.go": "package main\n\n// int answer(void) { return 42; }\nimport \"C\"\n\nfunc main() { println(C.answer()) }\n",
	})
	r := hoist(t, dir, userEnv(t), "build", "--progress", "plain")
	if r.Code != 1 || r.Stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing", r.Code, r.Stdout)
	}
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(r.Stderr, "build constraints exclude all Go files") {
		t.Errorf("stderr lacks go's own message:\n%s", r.Stderr)
	}
	for _, want := range []string{"no Go files are left without cgo", "CGO_ENABLED=0", "set CGO_ENABLED=1"} {
		if !strings.Contains(last, want) {
			t.Errorf("error %q lacks %q", last, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "dist")); err == nil {
		t.Error("a failed build wrote dist/")
	}
}
