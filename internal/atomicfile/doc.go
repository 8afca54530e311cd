// Package atomicfile replaces files by writing a temporary file beside them
// and renaming it over the old one, so a reader (or a run interrupted
// half-way) sees either the old contents or the new, never a mix. hoist's
// index.json, cache records, docker config and SBOM files all need that.
package atomicfile
