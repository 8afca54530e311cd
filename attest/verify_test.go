package attest

import (
	"bytes"
	"context"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/provenance"
	"github.com/hoist-build/hoist/sbom"
)

// TestVerifyFails attaches missing, forged and mismatched documents and
// checks that Verify fails with a one-line message naming the problem.
func TestVerifyFails(t *testing.T) {
	host := registrytest.New(t)
	bin := buildBinary(t, "amd64")
	other := "sha256:" + strings.Repeat("0e", 32)
	forgedProvenance := func(t *testing.T, subject v1.Descriptor) Document {
		data, err := provenance.Generate(provenance.Input{Subjects: []provenance.Subject{{Name: "forged", Digest: other}}})
		if err != nil {
			t.Fatal(err)
		}
		return Document{Kind: KindProvenance, MediaType: provenance.MediaType, Subject: subject, FileName: "forged.intoto.json", Data: data}
	}
	cases := []struct {
		name string
		// attach picks what to attach from the genuine documents.
		attach func(t *testing.T, genuine []Document) []Document
		want   string
	}{
		{"nothing attached", func(*testing.T, []Document) []Document { return nil }, "no SBOM attached (and 1 more problems)"},
		{"no provenance", func(_ *testing.T, g []Document) []Document { return g[:1] }, ": no provenance attached"},
		{"provenance about another image", func(t *testing.T, g []Document) []Document {
			return []Document{g[0], forgedProvenance(t, g[0].Subject)}
		}, "is about " + other + ", not this image"},
		{"genuine and forged provenance", func(t *testing.T, g []Document) []Document {
			return append(g, forgedProvenance(t, g[0].Subject))
		}, "is about " + other + ", not this image"},
		{"SBOM about another image", func(t *testing.T, g []Document) []Document {
			bi := g[0]
			data, err := sbom.SPDX(sbom.Input{Name: "x", Digest: other, BuildInfo: mustBuildInfo(t, bin), Created: created})
			if err != nil {
				t.Fatal(err)
			}
			bi.Data = data
			return []Document{bi, g[1]}
		}, "describes " + other + ", not this image"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			repo := mustRepo(t, fmt.Sprintf("%s/case%d", host, i))
			attachSome(t, repo, bin, tc.attach)
			report, err := verify(t, repo.Tag("v1").String())
			hoisttest.WantErrorLine(t, err, tc.want)
			var out bytes.Buffer
			if err := report.Write(&out); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out.String(), "  ! ") {
				t.Errorf("report does not show the problem:\n%s", out.String())
			}
		})
	}
}

// TestVerifyIndexChild: an index whose images lack SBOMs fails, naming the
// platform, although the index itself has its provenance.
func TestVerifyIndexChild(t *testing.T) {
	host := registrytest.New(t)
	idx := index(t, map[string]v1.Image{"amd64": platformImage(t, "amd64"), "arm64": platformImage(t, "arm64")})
	repo := push(t, host, "acme/nosbom", idx)
	opts := options(repo, idx, map[string]string{"linux/amd64": buildBinary(t, "amd64"), "linux/arm64": buildBinary(t, "arm64")})
	opts.SBOM = sbom.FormatNone
	if _, err := Publish(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	report, err := verify(t, repo.Tag("v1").String())
	if err == nil || !strings.Contains(err.Error(), "(linux/amd64): no SBOM attached (and 1 more problems)") {
		t.Fatalf("Verify err = %v, want the amd64 image's missing SBOM first", err)
	}
	if len(report.Manifests[0].Problems) != 0 {
		t.Errorf("index problems = %v, want none: it has its provenance", report.Manifests[0].Problems)
	}
}

// attachSome pushes a new image to repo and attaches what pick chooses
// from the genuine documents Publish would attach.
func attachSome(t *testing.T, repo name.Repository, bin string, pick func(*testing.T, []Document) []Document) {
	t.Helper()
	img := platformImage(t, "amd64")
	push(t, repo.RegistryStr(), repo.RepositoryStr(), img)
	opts := options(repo, img, map[string]string{"linux/amd64": bin})
	opts.Name = repo.String()
	ms, err := manifests(opts)
	if err != nil {
		t.Fatal(err)
	}
	genuine, err := documents(opts, ms)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range pick(t, genuine) {
		// Written as anyone could, past attach's check for a document
		// of the same type.
		if _, err := writeArtifact(context.Background(), repo, d, created, opts.Remote); err != nil {
			t.Fatal(err)
		}
	}
}

func mustBuildInfo(t *testing.T, bin string) *debug.BuildInfo {
	t.Helper()
	m := manifest{binary: bin}
	if err := m.readBuildInfo(); err != nil {
		t.Fatal(err)
	}
	return m.info
}
