// Package sbom writes the software bill of materials of a hoist image, in
// SPDX 2.3 and CycloneDX 1.5 JSON, from what the image is made of: the Go
// modules linked into the binary (read from the build info the Go toolchain
// embeds in every binary), the Go standard library, and the components of
// the base, which the caller names. Documents are deterministic: every list
// is sorted, the creation time is an input rather than the wall clock, and
// the SPDX namespace and CycloneDX serial number are derived from the image
// digest, so one image always gets byte-identical documents. The package
// does no I/O and pulls in no SBOM library; both formats are small structs
// encoded with encoding/json.
package sbom
