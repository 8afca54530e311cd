package archtest

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/hoist-build/hoist/"

// allowed lists, per library package, the hoist packages it may import.
// internal/* may always be imported by non-internal packages; cmd/hoist
// may import any library; programs and tests are not libraries.
var allowed = map[string][]string{
	"layers":                {"cache"},
	"cache":                 {},
	"config":                {},
	"registry":              {},
	"resolve":               {},
	"kube":                  {},
	"dev":                   {"build"},
	"build":                 {"cache"},
	"assemble":              {"layers"},
	"base":                  {"layers", "assemble", "cache", "sbom"},
	"publish":               {"registry"},
	"containerd":            {"publish"},
	"sbom":                  {},
	"provenance":            {},
	"attest":                {"sbom", "provenance", "publish", "registry"},
	"sign":                  {"sbom", "provenance", "publish", "registry"},
	"manifests":             {"layers", "publish", "resolve"},
	"pipeline":              {"build", "cache", "config", "layers", "assemble", "base", "publish", "registry", "sbom", "attest", "sign"},
	"pipeline/pipelinetest": {"pipeline", "config", "publish"},
}

// leaves are programs and tests, never libraries: nothing may import them.
var leaves = []string{"cmd/", "e2e", "faults", "bench", "test/", "app"}

func isLeaf(name string) bool {
	for _, l := range leaves {
		if name == strings.TrimSuffix(l, "/") || strings.HasPrefix(name, l) {
			return true
		}
	}
	return false
}

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
		if msg := checkPackage(name); msg != "" {
			t.Error(msg)
		}
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

// checkPackage returns why name needs a row, or "": a library package has
// one even when it imports nothing of hoist's.
func checkPackage(name string) string {
	if _, ok := allowed[name]; ok || isLeaf(name) || strings.HasPrefix(name, "internal/") {
		return ""
	}
	return name + " is a new library package: give it a place in docs/architecture.md and in allowed"
}

// check returns why name may not import dep, or "".
func check(name, dep string) string {
	if isLeaf(dep) {
		return name + " imports " + dep + ", which is a program or a test, not a library"
	}
	isInternal := strings.HasPrefix(dep, "internal/")
	switch {
	case isLeaf(name):
		return ""
	case strings.HasPrefix(name, "internal/"):
		if !isInternal {
			return name + " imports " + dep + ": internal helpers sit below every library"
		}
		return ""
	case isInternal:
		return ""
	}
	if msg := checkPackage(name); msg != "" {
		return msg
	}
	if rule := allowed[name]; !slices.Contains(rule, dep) {
		return name + " imports " + dep + ", against docs/architecture.md (it may import: " + strings.Join(rule, ", ") + ")"
	}
	return ""
}

// TestCheckRefuses shows the rule can fail: an upward import is refused.
func TestCheckRefuses(t *testing.T) {
	for _, c := range [][2]string{{"layers", "pipeline"}, {"build", "cmd/hoist"}, {"internal/workdir", "cache"}, {"publish", "pipeline"}, {"newpkg", "layers"}, {"layers", "app"}} {
		if check(c[0], c[1]) == "" {
			t.Errorf("%s importing %s was allowed", c[0], c[1])
		}
	}
	if msg := check("pipeline", "build"); msg != "" {
		t.Errorf("pipeline importing build refused: %s", msg)
	}
	if checkPackage("newpkg") == "" || checkPackage("e2e/user") != "" || checkPackage("internal/x") != "" {
		t.Error("checkPackage does not tell a new library from a program or a helper")
	}
}

// TestDocumentMatchesRules keeps the table of docs/architecture.md and
// allowed the same rules: the document is what a reader trusts.
func TestDocumentMatchesRules(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	documented := documentedRules(string(doc))
	if len(documented) < 10 {
		t.Fatalf("found %d rows in docs/architecture.md: its table is not where this test looks", len(documented))
	}
	for name, rule := range allowed {
		if got, ok := documented[name]; !ok {
			t.Errorf("%s has a rule in allowed but no row in docs/architecture.md", name)
		} else if want := slices.Sorted(slices.Values(rule)); !slices.Equal(got, want) {
			t.Errorf("%s: docs/architecture.md says it may import %v, allowed says %v", name, got, want)
		}
	}
	for name := range documented {
		if _, ok := allowed[name]; !ok {
			t.Errorf("%s has a row in docs/architecture.md but no rule in allowed", name)
		}
	}
}

var quoted = regexp.MustCompile("`([^`]+)`")

// documentedRules reads the table rows "| `pkg`, `pkg` | job | a, b |" (or
// "–" for nothing) into package → sorted imports. The rows of cmd/hoist and
// internal/*, which state no list, are left out.
func documentedRules(doc string) map[string][]string {
	rules := map[string][]string{}
	for _, line := range strings.Split(doc, "\n") {
		cells := strings.Split(line, "|")
		if !strings.HasPrefix(line, "| `") || len(cells) != 5 {
			continue
		}
		var deps []string
		for _, d := range strings.Split(strings.TrimSpace(cells[3]), ",") {
			if d = strings.Trim(strings.TrimSpace(d), "`"); d != "–" {
				deps = append(deps, d)
			}
		}
		slices.Sort(deps)
		for _, m := range quoted.FindAllStringSubmatch(cells[1], -1) {
			if name := m[1]; !isLeaf(name) && !strings.HasPrefix(name, "internal/") {
				rules[name] = deps
			}
		}
	}
	return rules
}
