package sbom

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Info is what a verifier needs to know about an SBOM document.
type Info struct {
	// Version is "SPDX-2.3" or "CycloneDX 1.5" (whatever the document says).
	Version string
	// Packages counts the packages or components listed.
	Packages int
	// Digest is the "sha256:<hex>" digest of the image the document
	// describes, or "" when it names none.
	Digest string
}

// Inspect reads an SBOM of the given media type (from any tool, not only
// hoist) and finds the image digest it describes: for SPDX the SHA256
// checksum of the package the document DESCRIBES, for CycloneDX the SHA-256
// hash of the metadata component, falling back to a "sha256:" version.
func Inspect(mediaType string, data []byte) (Info, error) {
	switch mediaType {
	case SPDXMediaType, "application/spdx+json":
		return inspectSPDX(data)
	case CycloneDXMediaType:
		return inspectCycloneDX(data)
	}
	return Info{}, fmt.Errorf("inspecting SBOM: unknown media type %q", mediaType)
}

func inspectSPDX(data []byte) (Info, error) {
	var doc spdxDocument
	if err := json.Unmarshal(data, &doc); err != nil {
		return Info{}, fmt.Errorf("decoding SPDX document: %w", err)
	}
	if !strings.HasPrefix(doc.SPDXVersion, "SPDX-") || doc.SPDXID != spdxDocumentID {
		return Info{}, fmt.Errorf("decoding SPDX document: spdxVersion %q, SPDXID %q: not an SPDX document", doc.SPDXVersion, doc.SPDXID)
	}
	described := map[string]bool{}
	for _, id := range doc.DocumentDescribes {
		described[id] = true
	}
	for _, r := range doc.Relationships {
		if r.Element == spdxDocumentID && r.Type == "DESCRIBES" {
			described[r.Related] = true
		}
	}
	info := Info{Version: printable(doc.SPDXVersion), Packages: len(doc.Packages)}
	for _, p := range doc.Packages {
		if !described[p.SPDXID] {
			continue
		}
		for _, c := range p.Checksums {
			if c.Algorithm == "SHA256" {
				info.Digest = sha256Digest(c.ChecksumValue)
				return info, nil
			}
		}
	}
	return info, nil
}

func inspectCycloneDX(data []byte) (Info, error) {
	var bom cdxBOM
	if err := json.Unmarshal(data, &bom); err != nil {
		return Info{}, fmt.Errorf("decoding CycloneDX BOM: %w", err)
	}
	if bom.BOMFormat != "CycloneDX" {
		return Info{}, fmt.Errorf("decoding CycloneDX BOM: bomFormat %q: not a CycloneDX BOM", bom.BOMFormat)
	}
	info := Info{Version: printable("CycloneDX " + bom.SpecVersion), Packages: len(bom.Components)}
	c := bom.Metadata.Component
	for _, h := range c.Hashes {
		if h.Alg == "SHA-256" {
			info.Digest = sha256Digest(h.Content)
			return info, nil
		}
	}
	if hex, ok := strings.CutPrefix(c.Version, "sha256:"); ok {
		info.Digest = sha256Digest(hex)
	}
	return info, nil
}

// sha256Digest is "sha256:<hex>" for a well-formed hex digest and "" for
// anything else: a document from a registry could otherwise put any text
// (line breaks included) where a report prints the digest.
func sha256Digest(hex string) string {
	hex = strings.ToLower(hex)
	if len(hex) != 64 || strings.Trim(hex, "0123456789abcdef") != "" {
		return ""
	}
	return "sha256:" + hex
}

// printable folds a document's free text onto one bounded line.
func printable(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return s
}
