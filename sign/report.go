package sign

import (
	"fmt"
	"io"
	"sort"

	"github.com/hoist-build/hoist/registry"
)

// Report is what Verify found of the signatures and attestations of Ref
// and, for an index, of each of its platform images after it.
type Report struct {
	registry.Report[ManifestReport]
}

// ManifestReport counts one manifest's layers that verify with the key and
// name its digest, and lists what is wrong. Layers that do not verify are
// counted apart: a signature by another key is not this key's failure, as
// in cosign, but a manifest with none that verifies is.
type ManifestReport struct {
	registry.Manifest
	Signatures   int
	Unverified   int
	Attestations map[string]int // predicate type → verified attestations
	Problems     []string
}

// Err is the first problem as one line, naming the manifest and how many
// other problems there are; nil when there are none.
func (r Report) Err() error { return r.FirstProblem("verifying signatures of") }

// Issues are the Problems.
func (m ManifestReport) Issues() []string { return m.Problems }

// Label is the manifest's digest reference, with "(index)" or the
// platform of an image in an index.
func (m ManifestReport) Label() string {
	switch {
	case m.Index:
		return m.Ref.String() + " (index)"
	case m.Platform != nil:
		return m.Ref.String() + " (" + m.Platform.String() + ")"
	}
	return m.Ref.String()
}

// Write prints the report, one block per manifest.
func (r Report) Write(w io.Writer) error {
	for _, m := range r.Manifests {
		fmt.Fprintln(w, m.Label())
		fmt.Fprintf(w, "  signatures verified: %d", m.Signatures)
		if m.Unverified > 0 {
			fmt.Fprintf(w, " (%d layers not verified by this key)", m.Unverified)
		}
		fmt.Fprintln(w)
		types := make([]string, 0, len(m.Attestations))
		for t := range m.Attestations {
			types = append(types, t)
		}
		sort.Strings(types)
		for _, t := range types {
			fmt.Fprintf(w, "  attestation verified: %s\n", t)
		}
		for _, p := range m.Problems {
			if _, err := fmt.Fprintf(w, "  problem: %s\n", p); err != nil {
				return err
			}
		}
	}
	return nil
}
