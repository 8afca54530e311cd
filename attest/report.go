package attest

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/registry"
)

// Report is what Verify found attached to Ref and, for an index, to each
// of its platform images after it.
type Report struct {
	registry.Report[ManifestReport]
}

// ManifestReport lists one manifest's referrers and what is wrong.
type ManifestReport struct {
	registry.Manifest
	Digest v1.Hash
	// Attachments are all referrers, including ones hoist does not know
	// (signatures, scan results), which are listed but not checked.
	Attachments []Attachment
	// Problems are this manifest's failures: missing documents, and each
	// attachment's Problem.
	Problems []string
}

// Label is the manifest's digest reference, with the platform of an image
// in an index.
func (m ManifestReport) Label() string { return m.Ref.String() + platformSuffix(m.Platform) }

// Issues are the Problems.
func (m ManifestReport) Issues() []string { return m.Problems }

// Attachment is one referrer of a manifest.
type Attachment struct {
	// Kind is "" for artifacts other than SBOMs and provenance.
	Kind         Kind
	ArtifactType string
	// Artifact is the artifact manifest's digest.
	Artifact v1.Hash
	// Summary says what the document is, e.g. "SPDX-2.3, 57 packages".
	Summary string
	Problem string
}

// Err is the first problem as one line, naming the manifest and how many
// other problems there are; nil when there are none.
func (r Report) Err() error { return r.FirstProblem("verifying") }

func platformSuffix(p *v1.Platform) string {
	if p == nil {
		return ""
	}
	return " (" + p.String() + ")"
}

// Write prints the report for people: one heading per manifest, one line
// per attachment, then the manifest's problems marked with "!".
func (r Report) Write(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, m := range r.Manifests {
		what := "image"
		if m.MediaType.IsIndex() {
			what = "index"
		}
		if m.Platform != nil {
			what = m.Platform.String()
		}
		fmt.Fprintf(tw, "%s (%s)\n", r.Ref.Context().Digest(m.Digest.String()), clean(what))
		if len(m.Attachments) == 0 {
			fmt.Fprintf(tw, "  (no referrers)\n")
		}
		for _, a := range m.Attachments {
			kind := string(a.Kind)
			if kind == "" {
				kind = "other"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", clean(kind), clean(a.ArtifactType), clean(fmt.Sprint(a.Artifact)), clean(a.Summary))
		}
		for _, p := range m.Problems {
			fmt.Fprintf(tw, "  ! %s\n", clean(fmt.Sprint(p)))
		}
	}
	return tw.Flush()
}

// clean escapes control characters: most fields come from the registry,
// which must not be able to forge report lines (or tabwriter columns).
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}
