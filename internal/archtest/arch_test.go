package archtest

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/hoist-build/hoist/"

// allowed lists, per library package, the hoist packages it may import.
// internal/* may always be imported by non-internal packages; cmd/hoist
// may import any library; tests, e2e, faults and bench are not libraries.
var allowed = map[string][]string{
	"layers":     {},
	"cache":      {},
	"config":     {},
	"registry":   {},
	"resolve":    {},
	"kube":       {},
	"dev":        {},
	"app":        {},
	"build":      {"cache"},
	"assemble":   {"layers"},
	"publish":    {"registry"},
	"containerd": {"publish"},
	"sbom":       {},
	"provenance": {},
	"attest":     {"sbom", "provenance", "publish", "registry"},
	"sign":       {"sbom", "provenance", "publish", "registry"},
	"manifests":  {"layers", "publish", "resolve"},
	"pipeline":   {"build", "cache", "config", "layers", "assemble", "publish", "registry", "sbom", "attest", "sign"},
}

// leaves are never libraries: nothing may import them.
var leaves = []string{"cmd/", "e2e", "faults", "bench", "test/", "app"}

type pkg struct {
	ImportPath string
	Imports    []string
}

func TestDependencyRules(t *testing.T) {
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	seen := 0
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		seen++
		name := strings.TrimPrefix(p.ImportPath, module)
		for _, imp := range p.Imports {
			if dep, ok := strings.CutPrefix(imp, module); ok {
				if msg := check(name, dep); msg != "" {
					t.Error(msg)
				}
			}
		}
	}
	if seen < 20 {
		t.Fatalf("go list reported %d packages: the test is not looking at hoist", seen)
	}
}

// check returns why name may not import dep, or "".
func check(name, dep string) string {
	for _, l := range leaves {
		if dep == strings.TrimSuffix(l, "/") || strings.HasPrefix(dep, l) {
			return name + " imports " + dep + ", which is a program or a test, not a library"
		}
	}
	isInternal := strings.HasPrefix(dep, "internal/")
	switch {
	case strings.HasPrefix(name, "cmd/"), strings.HasPrefix(name, "e2e"), name == "faults",
		strings.HasPrefix(name, "bench"), strings.HasPrefix(name, "test/"):
		return ""
	case strings.HasPrefix(name, "internal/"):
		if !isInternal {
			return name + " imports " + dep + ": internal helpers sit below every library"
		}
		return ""
	case isInternal:
		return ""
	}
	rule, ok := allowed[name]
	if !ok {
		return name + " is a new library package: give it a place in docs/architecture.md and in allowed"
	}
	if !slices.Contains(rule, dep) {
		return name + " imports " + dep + ", against docs/architecture.md (it may import: " + strings.Join(rule, ", ") + ")"
	}
	return ""
}

// TestCheckRefuses shows the rule can fail: an upward import is refused.
func TestCheckRefuses(t *testing.T) {
	for _, c := range [][2]string{{"layers", "pipeline"}, {"build", "cmd/hoist"}, {"internal/workdir", "cache"}, {"publish", "pipeline"}, {"newpkg", "layers"}} {
		if check(c[0], c[1]) == "" {
			t.Errorf("%s importing %s was allowed", c[0], c[1])
		}
	}
	if msg := check("pipeline", "build"); msg != "" {
		t.Errorf("pipeline importing build refused: %s", msg)
	}
}
