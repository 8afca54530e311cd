package sbom_test

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/hoist-build/hoist/sbom"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

const (
	digest = "sha256:0b12baf7805d95aaa94035424df3d7f9b4e7218a1203bdf26e370a044138322f"
	ggcrH1 = "h1:RZuuSYhTvlDvtsK+NkutoCZ//C0X2ebLK8X8l3ULs84="
)

func buildInfo() *debug.BuildInfo {
	return hoisttest.BuildInfo("go1.26.8 X:nodwarf5", []*debug.Module{
		{Path: "golang.org/x/sync", Version: "v0.25.0", Sum: "h1:dJnifr0nMV8/SBnBvdo4eSGGnrc3O4FFx6IqvtLcmRs="},
		{Path: "github.com/google/go-containerregistry", Version: "v0.22.1", Sum: ggcrH1},
		{Path: "github.com/docker/cli", Version: "v29.7.2+incompatible", Sum: "h1:dlkwallR8XqfeVnA2ELEhdwvb4lsSwuB4IgsG8Q9cLY="},
		{Path: "example.com/old", Version: "v1.0.0", Replace: &debug.Module{Path: "example.com/fork", Version: "v1.0.1"}},
	}, []debug.BuildSetting{
		{Key: "-trimpath", Value: "true"}, {Key: "CGO_ENABLED", Value: "0"},
		{Key: "GOARCH", Value: "amd64"}, {Key: "GOOS", Value: "linux"},
	}...)
}

func input() sbom.Input {
	return sbom.Input{
		Name: "registry.example:5000/acme/api", Digest: digest, BuildInfo: buildInfo(),
		Base:    sbom.DistrolessBase("v0.0.0-20261030153154-30a33513ff6d", "go1.26.8"),
		Created: time.Unix(1700000000, 0), ToolVersion: "v1.2.3",
	}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, b)
	}
	return m
}

func list(v any) []map[string]any {
	var out []map[string]any
	for _, x := range v.([]any) {
		out = append(out, x.(map[string]any))
	}
	return out
}

var spdxIDPattern = regexp.MustCompile(`^SPDXRef-[A-Za-z0-9.-]+$`)

// TestSPDX checks the fields SPDX 2.3 requires and the facts hoist records.
func TestSPDX(t *testing.T) {
	out, err := sbom.SPDX(input())
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, out)
	for k, want := range map[string]string{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT"} {
		if doc[k] != want {
			t.Errorf("%s = %v, want %s", k, doc[k], want)
		}
	}
	ns, _ := doc["documentNamespace"].(string)
	if u, err := url.Parse(ns); err != nil || u.Scheme != "https" || strings.Contains(ns, "#") || !strings.HasSuffix(ns, strings.TrimPrefix(digest, "sha256:")) {
		t.Errorf("documentNamespace %q: want an https URI without '#' ending in the digest", ns)
	}
	ci := doc["creationInfo"].(map[string]any)
	if ci["created"] != "2023-11-14T22:13:20Z" || ci["creators"].([]any)[0] != "Tool: hoist-v1.2.3" {
		t.Errorf("creationInfo = %v", ci)
	}
	ids := map[string]map[string]any{}
	for _, p := range list(doc["packages"]) {
		id, _ := p["SPDXID"].(string)
		if !spdxIDPattern.MatchString(id) || ids[id] != nil {
			t.Errorf("package SPDXID %q is malformed or repeated", id)
		}
		ids[id] = p
		if p["name"] == "" || p["downloadLocation"] == nil || p["filesAnalyzed"] != false {
			t.Errorf("package %s lacks name, downloadLocation or filesAnalyzed=false: %v", id, p)
		}
	}
	for _, r := range list(doc["relationships"]) {
		for _, end := range []string{"spdxElementId", "relatedSpdxElement"} {
			if id := r[end].(string); id != "SPDXRef-DOCUMENT" && ids[id] == nil {
				t.Errorf("relationship %v names unknown element %s", r, id)
			}
		}
	}
	purls := spdxPURLs(ids)
	for _, want := range []string{
		"pkg:golang/github.com/google/go-containerregistry@v0.22.1",
		"pkg:golang/github.com/docker/cli@v29.7.2%2Bincompatible",
		"pkg:golang/example.com/fork@v1.0.1",
		"pkg:golang/stdlib@1.26.8",
		"pkg:golang/example.com/shop",
		"pkg:golang/golang.org/x/crypto/x509roots/fallback@v0.0.0-20261030153154-30a33513ff6d",
		"pkg:oci/api@sha256%3A" + strings.TrimPrefix(digest, "sha256:") + "?repository_url=registry.example:5000/acme/api",
	} {
		if purls[want] == nil {
			t.Errorf("no package with purl %s; have %v", want, keys(purls))
		}
	}
	ggcr := purls["pkg:golang/github.com/google/go-containerregistry@v0.22.1"]
	if got := ggcr["checksums"].([]any)[0].(map[string]any)["checksumValue"]; got != h1Hex(t, ggcrH1) {
		t.Errorf("go-containerregistry checksum = %v, want the h1 sum in hex", got)
	}
	if purls["pkg:golang/example.com/old@v1.0.0"] != nil {
		t.Error("a replaced module is listed under its original path")
	}
}

func spdxPURLs(pkgs map[string]map[string]any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, p := range pkgs {
		refs, _ := p["externalRefs"].([]any)
		for _, r := range refs {
			if ref := r.(map[string]any); ref["referenceType"] == "purl" {
				out[ref["referenceLocator"].(string)] = p
			}
		}
	}
	return out
}

var cdxSerial = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestCycloneDX checks the fields CycloneDX 1.5 requires, the serial
// number pattern from its JSON schema, and the dependency graph's refs.
func TestCycloneDX(t *testing.T) {
	out, err := sbom.CycloneDX(input())
	if err != nil {
		t.Fatal(err)
	}
	bom := decode(t, out)
	if bom["bomFormat"] != "CycloneDX" || bom["specVersion"] != "1.5" || bom["version"] != float64(1) {
		t.Errorf("bomFormat/specVersion/version = %v/%v/%v", bom["bomFormat"], bom["specVersion"], bom["version"])
	}
	if s, _ := bom["serialNumber"].(string); !cdxSerial.MatchString(s) {
		t.Errorf("serialNumber %q does not match the 1.5 schema's pattern", s)
	}
	meta := bom["metadata"].(map[string]any)
	image := meta["component"].(map[string]any)
	if meta["timestamp"] != "2023-11-14T22:13:20Z" || image["type"] != "container" || image["version"] != digest {
		t.Errorf("metadata = %v", meta)
	}
	refs := map[string]bool{image["bom-ref"].(string): true}
	purls := map[string]bool{}
	for _, c := range list(bom["components"]) {
		ref := c["bom-ref"].(string)
		if refs[ref] || c["type"] == nil || c["name"] == nil {
			t.Errorf("component %v: repeated bom-ref, or no type or name", c)
		}
		refs[ref] = true
		if p, _ := c["purl"].(string); p != "" {
			purls[p] = true
		} else if strings.Contains(c["name"].(string), "/") {
			t.Errorf("Go module component %v has no purl", c["name"])
		}
	}
	if !purls["pkg:golang/golang.org/x/sync@v0.25.0"] || !purls["pkg:golang/stdlib@1.26.8"] {
		t.Errorf("purls %v lack x/sync or stdlib", purls)
	}
	for _, d := range list(bom["dependencies"]) {
		if !refs[d["ref"].(string)] {
			t.Errorf("dependency on unknown ref %v", d["ref"])
		}
		for _, on := range d["dependsOn"].([]any) {
			if !refs[on.(string)] {
				t.Errorf("%v depends on unknown ref %v", d["ref"], on)
			}
		}
	}
}

// TestDeterministic: the same image gives the same bytes whatever order the
// build info lists modules in, and another image gives another identity.
func TestDeterministic(t *testing.T) {
	gens := map[string]func(sbom.Input) ([]byte, error){"spdx": sbom.SPDX, "cyclonedx": sbom.CycloneDX}
	for name, gen := range gens {
		t.Run(name, func(t *testing.T) {
			a, err := gen(input())
			if err != nil {
				t.Fatal(err)
			}
			shuffled := input()
			deps := shuffled.BuildInfo.Deps
			for i, j := 0, len(deps)-1; i < j; i, j = i+1, j-1 {
				deps[i], deps[j] = deps[j], deps[i]
			}
			shuffled.Base[0], shuffled.Base[2] = shuffled.Base[2], shuffled.Base[0]
			b, err := gen(shuffled)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a, b) {
				t.Errorf("same image, different documents:\n%s\n---\n%s", a, b)
			}
			other := input()
			other.Digest = "sha256:" + strings.Repeat("ab", 32)
			c, err := gen(other)
			if err != nil {
				t.Fatal(err)
			}
			for _, field := range []string{"documentNamespace", "serialNumber"} {
				if v := decode(t, a)[field]; v != nil && v == decode(t, c)[field] {
					t.Errorf("%s %v is the same for two images", field, v)
				}
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
