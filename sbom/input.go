package sbom

import (
	"encoding/hex"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hoist-build/hoist/internal/gomod"
)

// Media types of the two formats, as registries and scanners (oras, trivy,
// grype) expect them in an artifact manifest's artifactType.
const (
	SPDXMediaType      = "text/spdx+json"
	CycloneDXMediaType = "application/vnd.cyclonedx+json"
)

// Format selects the document format; FormatNone turns the SBOM off.
type Format string

const (
	FormatSPDX      Format = "spdx"
	FormatCycloneDX Format = "cyclonedx"
	FormatNone      Format = "none"
)

// ParseFormat validates a format name given by a user; empty means SPDX,
// the format most registries and scanners read.
func ParseFormat(s string) (Format, error) {
	switch Format(strings.ToLower(s)) {
	case "", FormatSPDX:
		return FormatSPDX, nil
	case FormatCycloneDX, "cdx":
		return FormatCycloneDX, nil
	case FormatNone:
		return FormatNone, nil
	}
	return "", fmt.Errorf("invalid SBOM format %q: use spdx, cyclonedx or none", s)
}

// MediaType is the format's media type; "" for None.
func (f Format) MediaType() string {
	switch f {
	case FormatSPDX:
		return SPDXMediaType
	case FormatCycloneDX:
		return CycloneDXMediaType
	}
	return ""
}

// Generate writes the document in format f.
func Generate(f Format, in Input) ([]byte, error) {
	switch f {
	case FormatSPDX:
		return SPDX(in)
	case FormatCycloneDX:
		return CycloneDX(in)
	}
	return nil, fmt.Errorf("generating SBOM: unsupported format %q", f)
}

// Input is what one image's SBOM is made from.
type Input struct {
	// Name is the image's repository, e.g. "ghcr.io/acme/app", or its bare
	// name for file destinations. It names the document and the image.
	Name string
	// Digest is the image manifest's digest, "sha256:<hex>": the SBOM
	// describes that manifest, and the document's identity derives from it.
	Digest string
	// BuildInfo is the binary's embedded build info (debug/buildinfo).
	BuildInfo *debug.BuildInfo
	// Base lists what the base contributes; see DistrolessBase.
	Base []Component
	// Created is the document's creation time: SOURCE_DATE_EPOCH or the
	// epoch, never the wall clock, so rebuilding gives the same bytes.
	Created time.Time
	// ToolVersion is hoist's version, recorded as the creating tool.
	ToolVersion string
}

// Component is one thing in the image besides the Go binary.
type Component struct {
	// Type is a CycloneDX component type: "library", "data",
	// "operating-system", "container", "file", "application".
	Type    string
	Name    string
	Version string
	// PURL is the package URL when the component has one, else "".
	PURL        string
	Description string
	// SHA256 is a lowercase hex digest of the component, when known.
	SHA256 string
}

// CAModule is the module the synthesized base's CA bundle is generated from.
const CAModule = "golang.org/x/crypto/x509roots/fallback"

// DistrolessBase describes hoist's synthesized base: its os-release, the CA
// bundle generated from CAModule at caVersion, and tzdata from the Go
// toolchain goVersion ("go1.26.8"). A library cannot know either version:
// the caller reads caVersion from hoist's own build info (ModuleVersion) and
// goVersion from the binary's.
func DistrolessBase(caVersion, goVersion string) []Component {
	return []Component{
		{Type: "operating-system", Name: "hoist-distroless", Version: "1",
			Description: "hoist's synthesized distroless base (/etc/os-release ID=hoist)"},
		{Type: "data", Name: CAModule, Version: caVersion, PURL: gomod.PURL(CAModule, caVersion),
			Description: "Mozilla CA bundle at /etc/ssl/certs/ca-certificates.crt"},
		{Type: "data", Name: "tzdata", Version: goVersion,
			Description: "time zone database at /usr/share/zoneinfo, from the Go toolchain's lib/time/zoneinfo.zip"},
	}
}

// PulledBase describes a base image pulled from a registry by digest.
func PulledBase(repository, digest string) Component {
	return Component{Type: "container", Name: repository, Version: digest,
		PURL: ociPURL(repository, digest), SHA256: strings.TrimPrefix(digest, "sha256:"),
		Description: "base image"}
}

// ModuleVersion finds a module's version in build info: the caller passes
// hoist's own (debug.ReadBuildInfo) to learn which CA bundle it embeds.
// Replacements are followed; "" means the module is not linked in.
func ModuleVersion(bi *debug.BuildInfo, path string) string {
	if bi == nil {
		return ""
	}
	for _, d := range bi.Deps {
		if d.Path != path {
			continue
		}
		if d.Replace != nil {
			return d.Replace.Version
		}
		return d.Version
	}
	return ""
}

func (in Input) validate() error {
	switch {
	case in.Name == "":
		return fmt.Errorf("generating SBOM: no image name")
	case in.BuildInfo == nil:
		return fmt.Errorf("generating SBOM for %s: no build info", in.Name)
	}
	if _, err := digestHex(in.Digest); err != nil {
		return fmt.Errorf("generating SBOM for %s: %w", in.Name, err)
	}
	return nil
}

// digestHex checks a "sha256:<hex>" digest and returns its hex part.
func digestHex(d string) (string, error) {
	hexPart, ok := strings.CutPrefix(d, "sha256:")
	if b, err := hex.DecodeString(hexPart); !ok || err != nil || len(b) != 32 || strings.ToLower(hexPart) != hexPart {
		return "", fmt.Errorf("invalid image digest %q: want sha256:<64 lowercase hex digits>", d)
	}
	return hexPart, nil
}

// ociPURL is the package URL of an image: pkg:oci names it by its last path
// element and digest, with the full repository as repository_url.
func ociPURL(repository, digest string) string {
	name := strings.ToLower(repository[strings.LastIndex(repository, "/")+1:])
	p := "pkg:oci/" + gomod.Escape(name, "") + "@" + gomod.Escape(digest, "")
	if strings.Contains(repository, "/") {
		p += "?repository_url=" + gomod.Escape(repository, "/:")
	}
	return p
}
