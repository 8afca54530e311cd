// Package gomod reads what SBOMs and provenance both need from a Go
// binary's build info: the modules linked in (replacements applied), their
// go.sum hashes as hex, and their package URLs. Keeping it in one place
// means an image's SBOM and its provenance name every module identically.
package gomod
