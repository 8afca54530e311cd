package attest

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"
)

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
