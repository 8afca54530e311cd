// Package provenance writes SLSA v1 build provenance for hoist images as an
// in-toto Statement v1: the images built (subjects, by digest), how they
// were built (the hoist command line, platforms and the source repository
// and commit, under a hoist build type), what went in (the source commit
// and every Go module linked into the binaries, from their embedded build
// info) and which hoist and Go versions did it. It only serialises what the
// caller hands it, with sorted lists and caller-supplied times, so the same
// inputs give the same bytes; it neither signs the statement nor talks to a
// registry (see package attest for attaching it to an image).
package provenance
