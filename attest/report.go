package attest

import (
	"fmt"
	"io"
	"text/tabwriter"
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
		fmt.Fprintf(tw, "%s (%s)\n", r.Ref.Context().Digest(m.Digest.String()), what)
		if len(m.Attachments) == 0 {
			fmt.Fprintf(tw, "  (no referrers)\n")
		}
		for _, a := range m.Attachments {
			kind := string(a.Kind)
			if kind == "" {
				kind = "other"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", kind, a.ArtifactType, a.Artifact, a.Summary)
		}
		for _, p := range m.Problems {
			fmt.Fprintf(tw, "  ! %s\n", p)
		}
	}
	return tw.Flush()
}
