package sbom

import (
	"strings"
	"time"

	"github.com/hoist-build/hoist/internal/jsondoc"
)

// SPDX 2.3 JSON, only the fields hoist fills in. Field names follow the
// spec's JSON schema exactly, including the odd "SPDXID".
type spdxDocument struct {
	SPDXVersion       string             `json:"spdxVersion"`
	DataLicense       string             `json:"dataLicense"`
	SPDXID            string             `json:"SPDXID"`
	Name              string             `json:"name"`
	DocumentNamespace string             `json:"documentNamespace"`
	CreationInfo      spdxCreationInfo   `json:"creationInfo"`
	DocumentDescribes []string           `json:"documentDescribes"`
	Packages          []spdxPackage      `json:"packages"`
	Relationships     []spdxRelationship `json:"relationships"`
}

type spdxCreationInfo struct {
	Created  string   `json:"created"`
	Creators []string `json:"creators"`
}

type spdxPackage struct {
	Name                  string           `json:"name"`
	SPDXID                string           `json:"SPDXID"`
	VersionInfo           string           `json:"versionInfo,omitempty"`
	DownloadLocation      string           `json:"downloadLocation"`
	FilesAnalyzed         bool             `json:"filesAnalyzed"`
	Checksums             []spdxChecksum   `json:"checksums,omitempty"`
	LicenseConcluded      string           `json:"licenseConcluded"`
	LicenseDeclared       string           `json:"licenseDeclared"`
	CopyrightText         string           `json:"copyrightText"`
	Description           string           `json:"description,omitempty"`
	ExternalRefs          []spdxExternal   `json:"externalRefs,omitempty"`
	PrimaryPackagePurpose string           `json:"primaryPackagePurpose,omitempty"`
	Annotations           []spdxAnnotation `json:"annotations,omitempty"`
}

type spdxChecksum struct {
	Algorithm     string `json:"algorithm"`
	ChecksumValue string `json:"checksumValue"`
}

type spdxExternal struct {
	ReferenceCategory string `json:"referenceCategory"`
	ReferenceType     string `json:"referenceType"`
	ReferenceLocator  string `json:"referenceLocator"`
}

type spdxAnnotation struct {
	AnnotationDate string `json:"annotationDate"`
	AnnotationType string `json:"annotationType"`
	Annotator      string `json:"annotator"`
	Comment        string `json:"comment"`
}

type spdxRelationship struct {
	Element string `json:"spdxElementId"`
	Type    string `json:"relationshipType"`
	Related string `json:"relatedSpdxElement"`
}

const (
	spdxDocumentID = "SPDXRef-DOCUMENT"
	noAssertion    = "NOASSERTION"
)

// SPDX writes the image's SBOM as an SPDX 2.3 JSON document. The document
// DESCRIBES the image package, whose SHA256 checksum is the manifest digest;
// the image CONTAINS the application and the base components, and the
// application DEPENDS_ON the standard library and each module.
func SPDX(in Input) ([]byte, error) {
	m, err := newModel(in, "spdx")
	if err != nil {
		return nil, err
	}
	created := in.Created.UTC().Format(time.RFC3339)
	creator := "Tool: hoist"
	if in.ToolVersion != "" {
		creator += "-" + in.ToolVersion
	}
	doc := spdxDocument{
		SPDXVersion: "SPDX-2.3", DataLicense: "CC0-1.0", SPDXID: spdxDocumentID,
		Name: in.Name + "@" + in.Digest, DocumentNamespace: m.namespace,
		CreationInfo:      spdxCreationInfo{Created: created, Creators: []string{creator}},
		DocumentDescribes: []string{spdxID(m.image)},
	}
	add := func(p pkg, rel, from string) {
		doc.Packages = append(doc.Packages, spdxPackageOf(p, created, creator))
		if from != "" {
			doc.Relationships = append(doc.Relationships, spdxRelationship{from, rel, spdxID(p)})
		}
	}
	add(m.image, "DESCRIBES", spdxDocumentID)
	add(m.app, "CONTAINS", spdxID(m.image))
	for _, p := range m.base {
		add(p, "CONTAINS", spdxID(m.image))
	}
	for _, p := range m.deps {
		add(p, "DEPENDS_ON", spdxID(m.app))
	}
	return jsondoc.Marshal(doc)
}

func spdxID(p pkg) string { return "SPDXRef-" + p.id }

func spdxPackageOf(p pkg, created, creator string) spdxPackage {
	out := spdxPackage{
		Name: p.name, SPDXID: spdxID(p), VersionInfo: p.version, DownloadLocation: noAssertion,
		LicenseConcluded: noAssertion, LicenseDeclared: noAssertion, CopyrightText: noAssertion,
		Description: p.desc, PrimaryPackagePurpose: spdxPurpose(p.kind),
	}
	if p.sha256 != "" {
		out.Checksums = []spdxChecksum{{Algorithm: "SHA256", ChecksumValue: p.sha256}}
	}
	if p.purl != "" {
		out.ExternalRefs = []spdxExternal{{ReferenceCategory: "PACKAGE-MANAGER", ReferenceType: "purl", ReferenceLocator: p.purl}}
	}
	// SPDX 2.3 packages have no properties; an annotation is the place
	// tools preserve for free-form facts such as build settings.
	if len(p.props) > 0 {
		lines := make([]string, 0, len(p.props))
		for _, s := range p.props {
			lines = append(lines, s.Key+"="+s.Value)
		}
		out.Annotations = []spdxAnnotation{{AnnotationDate: created, AnnotationType: "OTHER",
			Annotator: creator, Comment: strings.Join(lines, "\n")}}
	}
	return out
}

// spdxPurpose maps a CycloneDX component type to SPDX's closest purpose.
func spdxPurpose(kind string) string {
	switch kind {
	case "container":
		return "CONTAINER"
	case "application":
		return "APPLICATION"
	case "library":
		return "LIBRARY"
	case "operating-system":
		return "OPERATING-SYSTEM"
	case "data", "file":
		return "FILE"
	case "framework":
		return "FRAMEWORK"
	}
	return "OTHER"
}
