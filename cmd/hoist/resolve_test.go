package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hoist-build/hoist/internal/registrytest"
)

const (
	apiYAML = `# the API, built from source
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  template:
    spec:
      containers:
        - name: api
          image: ko://example.com/svc/cmd/api   # replaced
        - name: sidecar
          image: "ko://example.com/svc/cmd/worker"
`
	workerYAML = `image: ko://example.com/svc/cmd/worker
again: [ko://example.com/svc/cmd/worker, nginx:1.27]
`
	staticYAML = "# nothing to build\nimage: nginx:1.27   # pinned\n"
)

// TestResolve runs `hoist resolve` against a real registry: the output must
// be the input with each ko:// string swapped for a digest reference that
// names the right image in that registry, and nothing else changed.
func TestResolve(t *testing.T) {
	host := registrytest.New(t)
	dir := svcModule(t, map[string]string{
		"deploy/api.yaml":          apiYAML,
		"deploy/worker/worker.yml": workerYAML,
		"deploy/README.md":         "not a manifest",
	})
	repo := []string{"--repo", host + "/svc", "--cache-dir", t.TempDir()}
	cases := []struct {
		name  string
		args  []string
		stdin string
		want  string
	}{
		{"directory", []string{"-f", "deploy"}, "", apiYAML},
		{"recursive", []string{"-f", "deploy", "-R"}, "", apiYAML + "---\n" + workerYAML},
		{"files in argument order", []string{"-f", "deploy/worker/worker.yml", "-f", "deploy/api.yaml"}, "", workerYAML + "---\n" + apiYAML},
		{"stdin", []string{"-f", "-"}, workerYAML, workerYAML},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runHoist(t, dir, tc.stdin, append(append([]string{"resolve"}, tc.args...), repo...)...)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			for _, img := range []string{"api", "worker"} {
				ref := digestRefIn(t, out, host+"/svc/"+img)
				if ref == "" {
					continue
				}
				checkEntrypoint(t, ref, "/ko-app/"+img)
				want = strings.ReplaceAll(want, "ko://example.com/svc/cmd/"+img, ref)
			}
			if out != want {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}

var digestRef = regexp.MustCompile(`[^\s"\[,]+@sha256:[0-9a-f]{64}`)

// digestRefIn returns the one digest reference into repo in out, "" if none.
func digestRefIn(t *testing.T, out, repo string) string {
	t.Helper()
	found := map[string]bool{}
	for _, r := range digestRef.FindAllString(out, -1) {
		if strings.HasPrefix(r, repo+"@") {
			found[r] = true
		}
	}
	if len(found) > 1 {
		t.Fatalf("several digests for %s in:\n%s", repo, out)
	}
	for r := range found {
		return r
	}
	return ""
}

func checkEntrypoint(t *testing.T, ref, want string) {
	t.Helper()
	cfg, err := registrytest.Image(t, ref).ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Config.Entrypoint, " "); got != want {
		t.Errorf("%s entrypoint = %q, want %q", ref, got, want)
	}
}

// TestResolveWithoutReferences needs no registry and builds nothing: the
// files come back byte for byte.
func TestResolveWithoutReferences(t *testing.T) {
	dir := svcModule(t, map[string]string{"static.yaml": staticYAML, "more.yaml": "a: 1"})
	out, err := runHoist(t, dir, "", "resolve", "-f", "static.yaml", "-f", "more.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := staticYAML + "---\na: 1"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
}

// TestResolveFailures checks that a bad input or a failed build prints
// nothing and pushes nothing.
func TestResolveFailures(t *testing.T) {
	host := registrytest.New(t)
	dir := svcModule(t, map[string]string{
		"lib.yaml":      "image: ko://example.com/svc/lib\nother: ko://example.com/svc/cmd/api\n",
		"missing.yaml":  "image: ko://example.com/svc/cmd/nope\n",
		"relative.yaml": "image: ko://./cmd/api\n",
		"broken.yaml":   "image: [ko://example.com/svc/cmd/api\n",
		"api.yaml":      apiYAML,
	})
	repo := []string{"--repo", host + "/svc", "--cache-dir", t.TempDir()}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"library package", append([]string{"-f", "lib.yaml"}, repo...), "not a main package"},
		{"missing package", append([]string{"-f", "missing.yaml"}, repo...), "nope"},
		{"relative import path", append([]string{"-f", "relative.yaml"}, repo...), "not a file path"},
		{"not YAML", append([]string{"-f", "api.yaml", "-f", "broken.yaml"}, repo...), "broken.yaml"},
		{"no file", repo, "no file given"},
		{"no registry", []string{"-f", "api.yaml"}, "registry only"},
		{"OCI layout", append([]string{"-f", "api.yaml", "--oci-layout", t.TempDir()}, repo...), "registry only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runHoist(t, dir, "", append([]string{"resolve"}, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if repos := registrytest.Catalog(t, host); len(repos) != 0 {
				t.Errorf("registry holds %v after a failed run", repos)
			}
		})
	}
}
