package e2e

import (
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/layers"
)

// corpusPlatforms are the platforms of the test's base images: every one a
// corpus file asks for, so that "all" and an explicit list both resolve.
const corpusPlatforms = "linux/amd64,linux/arm64,linux/arm/v6"

// corpusExceptions names the corpus files the test adapts, and why.
var corpusExceptions = map[string]string{
	// An absolute GOCACHE would write outside the test's sandbox; the path
	// is moved under the scratch module, the same for both tools.
	"ko-docs-builds.yaml": "GOCACHE=/workspace/.gocache moved to the test's temp dir, outside the module (inside, it would dirty the git tree)",
	// Not named .ko.yaml: ko's own test reads it through KO_CONFIG_PATH.
	"ko-testdata-my-ko.yaml": "read through KO_CONFIG_PATH",
}

// TestKoCorpus: for every real .ko.yaml of config/testdata/kocorpus, ko
// v0.19.1 and hoist build a scratch module that has a main package at every
// path the file names, with the file's image references pointed at a local
// registry. Both must produce the same images (by name and platform) whose
// binaries are byte-identical and carry the same file capability.
func TestKoCorpus(t *testing.T) {
	bin, root := hoistBinary(t)
	ko := installKo(t)
	host := registrytest.New(t)
	hoist(t, bin, root, "base", "--bare", "--repo", host+"/corpus-base", "--platform", corpusPlatforms)
	base, err := remote.Index(must(name.ParseReference(host + "/corpus-base:latest")))
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, "config", "testdata", "kocorpus", "*.yaml"))
	if len(files) < 25 {
		t.Fatalf("corpus has %d files, want at least 25", len(files))
	}
	shared := corpusEnv(t)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c := newCorpusCase(t, f, host, base)
			env := append(slices.Clone(shared), c.env...)
			// Outside the module: a layout inside it would make the git tree
			// dirty halfway through, and go stamps that into the binaries.
			koOut, hoistOut := filepath.Join(c.out, "ko-layout"), filepath.Join(c.out, "hoist-layout")
			hoisttest.MustRun(t, c.dir, env, ko, append([]string{"build", "--push=false", "--sbom=none", "--oci-layout-path", koOut}, c.paths...)...)
			// ko needs a KO_DOCKER_REPO even with --push=false; hoist would
			// push to it as well as write the layout, so it gets none (and
			// with nothing pushed, attaches nothing).
			hoisttest.MustRun(t, c.dir, append(env, "KO_DOCKER_REPO="), bin, append([]string{"build", "--oci-layout", hoistOut, "--no-cache", "--progress", "plain"}, c.paths...)...)
			want, got := layoutBinaries(t, koOut), layoutBinaries(t, hoistOut)
			if len(want) == 0 {
				t.Fatal("ko built nothing")
			}
			// hoist's one deliberate difference: without linux_capabilities
			// its binaries carry cap_net_bind_service=+ep, ko's none.
			for k, v := range want {
				if strings.HasSuffix(v, " cap:") {
					want[k] = v + hex.EncodeToString([]byte(layers.DefaultCapability()))
				}
			}
			if !maps.Equal(got, want) {
				t.Errorf("images differ:\nko:    %s\nhoist: %s\nko's build info:\n%s\nhoist's:\n%s", describeBinaries(want), describeBinaries(got),
					buildInfo(t, koOut), buildInfo(t, hoistOut))
			}
		})
	}
}

// corpusEnv is the environment both tools run in: hermetic Go settings, a
// fixed build time and time zone, the variables the corpus templates read
// (LDFLAGS and LD_FLAGS deliberately unset), and the machine's Go build
// cache (its contents never change a binary; a cold one costs minutes).
func corpusEnv(t *testing.T) []string {
	home := t.TempDir()
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GOENV=off", "GOFLAGS=", "GOTOOLCHAIN=local",
		"GOCACHE=" + strings.TrimSpace(string(gocache)), "GOMODCACHE=" + filepath.Join(home, "gomod"), "GOPROXY=off",
		"TZ=UTC", "SOURCE_DATE_EPOCH=1700000000", "KO_DOCKER_REPO=127.0.0.1:1/unused",
		"GIT_CEILING_DIRECTORIES=" + os.TempDir(), "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com",
		"GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z",
		"VERSION=1.2.3", "GIT_HASH=githash", "GIT_VERSION=gitversion", "GIT_COMMIT=abc", "BUILD_DATE=today",
		"COMMIT_HASH=def", "APP_BUILD_VERSION=1", "APP_BUILD_HASH=2", "APP_BUILD_DATE=3", "APP_BUILD_MODE=4",
	}
	return env
}

type corpusCase struct {
	dir   string
	out   string // where the layouts go
	paths []string
	env   []string
}

// newCorpusCase writes the scratch module for one corpus file.
func newCorpusCase(t *testing.T, file, host string, base v1.ImageIndex) corpusCase {
	t.Helper()
	// ko v0.19.1 names the images of --oci-layout-path after the path and
	// refuses upper case in it, which t.TempDir() names hold.
	dir, err := os.MkdirTemp("", "kocorpus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	c := corpusCase{dir: filepath.Join(dir, "module"), out: dir}
	var ko *config.Ko
	ko, err = config.LoadKo(file)
	if err != nil {
		t.Fatalf("hoist refuses a file ko reads: %v", err)
	}
	text := string(mustRead(t, file))
	text = strings.ReplaceAll(text, "/workspace/", c.out+"/")
	refs := []string{ko.DefaultBaseImage}
	for _, v := range ko.BaseImageOverrides {
		refs = append(refs, v)
	}
	sort.Slice(refs, func(i, j int) bool { return len(refs[i]) > len(refs[j]) }) // longest first: one may prefix another
	for i, ref := range refs {
		if ref == "" {
			continue
		}
		local := fmt.Sprintf("%s/corpus-base/ref%d:latest", host, i)
		pushIndex(t, local, base)
		text = replaceValue(text, ref, local)
	}
	if ko.DefaultBaseImage == "" {
		local := host + "/corpus-base/default:latest"
		pushIndex(t, local, base)
		c.env = append(c.env, "KO_DEFAULTBASEIMAGE="+local)
	}
	cfgName := ".ko.yaml"
	if filepath.Base(file) == "ko-testdata-my-ko.yaml" {
		cfgName = "my-ko.yaml"
		c.env = append(c.env, "KO_CONFIG_PATH="+filepath.Join(c.dir, cfgName))
	}
	files := map[string]string{cfgName: text, "go.mod": "module example.com/corpus\n\ngo 1.22\n"}
	c.paths = corpusPaths(ko)
	for _, p := range c.paths {
		files[path.Join(p, "main.go")] = "package main\n\nimport \"fmt\"\n\nvar version = \"dev\"\n\nfunc main() { fmt.Println(\"corpus\", version) }\n"
	}
	hoisttest.WriteFiles(t, c.dir, files)
	// A repository without tags: .Git.Tag is ko's v0.0.0 in both tools.
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "commit.gpgsign=false", "commit", "-q", "-m", "corpus"}} {
		hoisttest.MustRun(t, c.dir, corpusEnv(t), "git", args...)
	}
	return c
}

// corpusPaths is every main package the file names (dir joined with main,
// the directory of a main that names a .go file), or "." when it names none.
func corpusPaths(ko *config.Ko) []string {
	seen := map[string]bool{}
	var out []string
	for _, b := range ko.Builds {
		p := filepath.Join(b.Dir, b.Main)
		if strings.HasSuffix(p, ".go") {
			p = filepath.Dir(p)
		}
		if p = "./" + filepath.ToSlash(p); !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		out = []string{"."}
	}
	return out
}

// replaceValue replaces an image reference where it stands as a YAML value.
func replaceValue(text, ref, local string) string {
	for _, sep := range []string{": ", ":\t"} {
		text = strings.ReplaceAll(text, sep+ref+"\n", sep+local+"\n")
		if strings.HasSuffix(text, sep+ref) {
			text = strings.TrimSuffix(text, ref) + local
		}
	}
	return text
}

func pushIndex(t *testing.T, ref string, idx v1.ImageIndex) {
	t.Helper()
	registrytest.Write(t, ref, idx)
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
