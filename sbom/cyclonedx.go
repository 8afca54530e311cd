package sbom

import (
	"time"

	"github.com/hoist-build/hoist/internal/jsondoc"
)

// CycloneDX 1.5 JSON, only the fields hoist fills in.
type cdxBOM struct {
	BOMFormat    string          `json:"bomFormat"`
	SpecVersion  string          `json:"specVersion"`
	SerialNumber string          `json:"serialNumber"`
	Version      int             `json:"version"`
	Metadata     cdxMetadata     `json:"metadata"`
	Components   []cdxComponent  `json:"components"`
	Dependencies []cdxDependency `json:"dependencies"`
}

type cdxMetadata struct {
	Timestamp string       `json:"timestamp"`
	Tools     cdxTools     `json:"tools"`
	Component cdxComponent `json:"component"`
}

type cdxTools struct {
	Components []cdxComponent `json:"components"`
}

type cdxComponent struct {
	Type        string        `json:"type"`
	BOMRef      string        `json:"bom-ref,omitempty"`
	Name        string        `json:"name"`
	Version     string        `json:"version,omitempty"`
	Description string        `json:"description,omitempty"`
	Hashes      []cdxHash     `json:"hashes,omitempty"`
	PURL        string        `json:"purl,omitempty"`
	Properties  []cdxProperty `json:"properties,omitempty"`
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxProperty struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

type cdxDependency struct {
	Ref       string   `json:"ref"`
	DependsOn []string `json:"dependsOn"`
}

// CycloneDX writes the image's SBOM as a CycloneDX 1.5 JSON BOM. The
// metadata component is the image, hashed by its manifest digest; the
// dependency graph says the same as the SPDX relationships: the image holds
// the application and the base components, the application the modules.
func CycloneDX(in Input) ([]byte, error) {
	m, err := newModel(in, "cyclonedx")
	if err != nil {
		return nil, err
	}
	bom := cdxBOM{
		BOMFormat: "CycloneDX", SpecVersion: "1.5", Version: 1,
		SerialNumber: "urn:uuid:" + uuid5(m.namespace),
		Metadata: cdxMetadata{
			Timestamp: in.Created.UTC().Format(time.RFC3339),
			Tools:     cdxTools{Components: []cdxComponent{{Type: "application", Name: "hoist", Version: in.ToolVersion}}},
			Component: cdxComponentOf(m.image),
		},
	}
	image := cdxDependency{Ref: m.image.id, DependsOn: []string{m.app.id}}
	app := cdxDependency{Ref: m.app.id, DependsOn: []string{}}
	bom.Components = append(bom.Components, cdxComponentOf(m.app))
	for _, p := range m.base {
		bom.Components = append(bom.Components, cdxComponentOf(p))
		image.DependsOn = append(image.DependsOn, p.id)
	}
	for _, p := range m.deps {
		bom.Components = append(bom.Components, cdxComponentOf(p))
		app.DependsOn = append(app.DependsOn, p.id)
	}
	// Every ref in the graph must be a component; leaves get empty entries
	// so consumers can tell "depends on nothing" from "unknown".
	bom.Dependencies = []cdxDependency{image, app}
	for _, p := range append(append([]pkg(nil), m.base...), m.deps...) {
		bom.Dependencies = append(bom.Dependencies, cdxDependency{Ref: p.id, DependsOn: []string{}})
	}
	return jsondoc.Marshal(bom)
}

func cdxComponentOf(p pkg) cdxComponent {
	c := cdxComponent{Type: p.kind, BOMRef: p.id, Name: p.name, Version: p.version,
		Description: p.desc, PURL: p.purl}
	if c.Type == "" {
		c.Type = "library"
	}
	if p.sha256 != "" {
		c.Hashes = []cdxHash{{Alg: "SHA-256", Content: p.sha256}}
	}
	for _, s := range p.props {
		c.Properties = append(c.Properties, cdxProperty{Name: "hoist:" + s.Key, Value: s.Value})
	}
	return c
}
