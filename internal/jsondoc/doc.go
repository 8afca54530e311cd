// Package jsondoc encodes the JSON documents hoist publishes (SBOMs,
// provenance) one way: indented for people reading --sbom-dir output, and
// with '<', '>' and '&' kept literal, as other tools write them and as build
// arguments may well hold them.
package jsondoc
