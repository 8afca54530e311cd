// Package attest attaches an image's SBOM and build provenance to it in the
// registry, and checks them. Each document is pushed as an OCI 1.1 artifact:
// an image manifest whose artifactType is the document's media type, whose
// config is the empty descriptor and whose one layer is the document, with
// the image as its subject. Registries that implement the referrers API
// index it from the subject; for the others, ggcr maintains the referrers
// tag schema's fallback index under the tag "sha256-<image hex>". Verify
// reads either, so `hoist verify` and other referrers clients (oras
// discover, for one) find the same documents. For an index, each platform
// image gets its own SBOM, and one provenance statement naming the index
// and every image is attached to all of them. Documents can also be
// written to a directory.
package attest
