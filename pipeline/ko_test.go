package pipeline_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/layers"
	"github.com/hoist-build/hoist/pipeline"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

// pushBase pushes an index of tiny images, one per platform, whose config
// names user, holding entries.
func pushBase(t *testing.T, ref, user string, entries []layers.Entry, platforms ...v1.Platform) {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range platforms {
		img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
		img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
		if len(entries) > 0 {
			l, err := layers.New(context.Background(), entries, layers.Options{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if img, err = mutate.AppendLayers(img, l); err != nil {
				t.Fatal(err)
			}
		}
		cfg, _ := img.ConfigFile()
		cfg = cfg.DeepCopy()
		cfg.OS, cfg.Architecture, cfg.Variant, cfg.Config.User = p.OS, p.Architecture, p.Variant, user
		img, err := mutate.ConfigFile(img, cfg)
		if err != nil {
			t.Fatal(err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &p}})
	}
	// An attestation entry as Docker writes them: never a platform to build.
	att := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: att,
		Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}}})
	if err := remote.WriteIndex(must(name.ParseReference(ref)), idx); err != nil {
		t.Fatal(err)
	}
}

// must keeps the checks of setup calls short; a failure there is a bug in
// the test, so a panic with its stack is the right report.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// koModule writes a one-package module with .ko.yaml and returns options
// that read it as the CLI does.
func koModule(t *testing.T, host, koYAML, mainGo string) pipeline.Options {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "cmd", "svc"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "go.mod"), "module example.com/kotest\n\ngo 1.22\n")
	write(t, filepath.Join(dir, "cmd", "svc", "main.go"), mainGo)
	write(t, filepath.Join(dir, ".ko.yaml"), koYAML)
	opts := options(t, dir, registry(t, host))
	opts.Packages = []string{"./cmd/svc"}
	opts.Ko = must(config.LoadKo(filepath.Join(dir, ".ko.yaml")))
	opts.Base, opts.DefaultBase, opts.BaseOverrides = "", opts.Ko.DefaultBaseImage, opts.Ko.BaseImageOverrides
	opts.UserIfUnset = true
	return opts
}

// TestKoBaseAndPlatforms: defaultBaseImage is pulled, "all" means its linux
// platforms (not its attestation entry), its user stands while hoist still
// adds the port and labels, and linux_capabilities sets ko's xattr.
func TestKoBaseAndPlatforms(t *testing.T) {
	host := registrytest.New(t)
	base := host + "/kobase:latest"
	pushBase(t, base, "1000:1000", nil, v1.Platform{OS: "linux", Architecture: "amd64"}, v1.Platform{OS: "linux", Architecture: "arm64"})
	opts := koModule(t, host, "defaultBaseImage: "+base+"\nbuilds:\n- main: ./cmd/svc/main.go\n  linux_capabilities: [chown]\n",
		"package main\n\nfunc main() {}\n")
	opts.AllPlatforms = true
	res := run(t, opts)
	idx, err := remote.Index(must(name.ParseReference(res.Ref)))
	if err != nil {
		t.Fatalf("want an index for two platforms: %v", err)
	}
	m := must(idx.IndexManifest())
	if len(m.Manifests) != 2 {
		t.Fatalf("%d manifests, want the base's 2 linux platforms", len(m.Manifests))
	}
	chown := must(layers.FileCapability([]string{"chown"}))
	for _, d := range m.Manifests {
		img := must(idx.Image(d.Digest))
		cfg := must(img.ConfigFile())
		if cfg.Config.User != "1000:1000" {
			t.Errorf("%s: user %q, want the base's 1000:1000", d.Platform, cfg.Config.User)
		}
		if _, ok := cfg.Config.ExposedPorts["80/tcp"]; !ok || cfg.Config.Labels["org.opencontainers.image.title"] != "svc" {
			t.Errorf("%s: port %v labels %v: hoist's config improvements missing", d.Platform, cfg.Config.ExposedPorts, cfg.Config.Labels)
		}
		ls := must(img.Layers())
		h := readTar(t, ls[len(ls)-1])["ko-app/svc"]
		if h == nil {
			t.Fatalf("%s: no ko-app/svc in the last layer", d.Platform)
		}
		if got := h.PAXRecords["SCHILY.xattr.security.capability"]; got != chown {
			t.Errorf("%s: binary xattr %x, want linux_capabilities' chown %x", d.Platform, got, chown)
		}
	}
}

// TestCgoNeedsALoader: a dynamically linked binary is refused on the
// synthesized base and accepted on a pulled base that has its loader.
func TestCgoNeedsALoader(t *testing.T) {
	if _, err := exec.LookPath("gcc"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("gcc is needed for the cgo test")
		}
		t.Skip("no gcc")
	}
	host := registrytest.New(t)
	const cgoMain = "package main\n\n// int two(void) { return 2; }\nimport \"C\"\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(C.two()) }\n"
	const koYAML = "builds:\n- main: ./cmd/svc\n  env: [CGO_ENABLED=1]\n"
	opts := koModule(t, host, koYAML, cgoMain)
	_, err := pipeline.Run(context.Background(), opts)
	if err == nil || !strings.Contains(err.Error(), "dynamically linked") || !strings.Contains(err.Error(), "CGO_ENABLED=0") {
		t.Fatalf("err = %v, want a refusal naming the fix", err)
	}
	loader := "/lib64/ld-linux-x86-64.so.2"
	base := host + "/libc:latest"
	pushBase(t, base, "", []layers.Entry{layers.Dir("/lib64", 0o755, 0, 0), layers.File(loader, 0o755, []byte("loader"))},
		v1.Platform{OS: "linux", Architecture: "amd64"})
	opts = koModule(t, host, "defaultBaseImage: "+base+"\n"+koYAML, cgoMain)
	if _, err := pipeline.Run(context.Background(), opts); err != nil {
		t.Fatalf("on a base with %s: %v", loader, err)
	}
}

// TestPatternBuildsEveryCommand: "./..." builds each main package it
// matches and skips the libraries, where ko would refuse the pattern.
func TestPatternBuildsEveryCommand(t *testing.T) {
	host := registrytest.New(t)
	opts := koModule(t, host, "", emptyMain)
	hoisttest.WriteFiles(t, opts.Dir, map[string]string{"cmd/other/main.go": emptyMain, "lib/lib.go": "package lib\n"})
	opts.Packages = []string{"./...", "./cmd/svc"}
	res, err := pipeline.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range res {
		got = append(got, r.ImportPath)
	}
	if strings.Join(got, " ") != "example.com/kotest/cmd/other example.com/kotest/cmd/svc" {
		t.Errorf("built %q, want the two commands once each", got)
	}
	opts.Packages = []string{"./lib/..."}
	if _, err := pipeline.Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "matches no main package") {
		t.Errorf("a pattern of libraries only: %v", err)
	}
}

// TestSeveralCommandsInOneImage: a .hoist.yaml images entry puts both
// commands in /ko-app with the chosen entrypoint and both kodata trees; a
// kodata file both provide, or an unknown entrypoint, is refused by name.
func TestSeveralCommandsInOneImage(t *testing.T) {
	host := registrytest.New(t)
	opts := koModule(t, host, "", emptyMain)
	files := map[string]string{
		"cmd/other/main.go":    "package main\n\nfunc main() {}\n",
		"cmd/svc/kodata/a.txt": "a", "cmd/other/kodata/b.txt": "b",
	}
	for p, body := range files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(opts.Dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(opts.Dir, p), body)
	}
	opts.Packages = nil
	opts.Images = []config.ImageSpec{{Name: "tools", Packages: []string{"./cmd/svc", "./cmd/other"}, Entrypoint: "other"}}
	res := run(t, opts)
	if res.ImageName != "tools" {
		t.Errorf("image name %q, want tools", res.ImageName)
	}
	img := pull(t, res.Ref)
	cfg := must(img.ConfigFile())
	if strings.Join(cfg.Config.Entrypoint, " ") != "/ko-app/other" || cfg.Config.Labels["org.opencontainers.image.title"] != "tools" {
		t.Errorf("entrypoint %q title %q", cfg.Config.Entrypoint, cfg.Config.Labels["org.opencontainers.image.title"])
	}
	all := map[string]bool{}
	for _, l := range must(img.Layers()) {
		for p := range readTar(t, l) {
			all[p] = true
		}
	}
	for _, p := range []string{"ko-app/svc", "ko-app/other", "var/run/ko/a.txt", "var/run/ko/b.txt"} {
		if !all[p] {
			t.Errorf("image lacks %s", p)
		}
	}

	write(t, filepath.Join(opts.Dir, "cmd/other/kodata/a.txt"), "clash")
	if _, err := pipeline.Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), "kodata file /var/run/ko/a.txt comes from both") {
		t.Errorf("kodata clash: %v", err)
	}
	opts.Images[0].Entrypoint = "nope"
	if _, err := pipeline.Run(context.Background(), opts); err == nil || !strings.Contains(err.Error(), `entrypoint "nope" is none of its commands`) {
		t.Errorf("unknown entrypoint: %v", err)
	}
}

// TestPulledBaseToLayout: a pulled base's layers are read when the layout
// is written, after the build phase; they must still be readable then.
func TestPulledBaseToLayout(t *testing.T) {
	host := registrytest.New(t)
	base := host + "/layoutbase:latest"
	pushBase(t, base, "", []layers.Entry{layers.File("/etc/base.txt", 0o644, []byte("base"))}, v1.Platform{OS: "linux", Architecture: "amd64"})
	opts := koModule(t, host, "defaultBaseImage: "+base+"\n", "package main\n\nfunc main() {}\n")
	pub := layoutAt(t, filepath.Join(t.TempDir(), "layout"), "latest")
	opts.Publisher = pub
	run(t, opts)
}
