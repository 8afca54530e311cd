package attest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/provenance"
	"github.com/hoist-build/hoist/sbom"
)

// TestPublishImage attaches an SBOM and provenance to a pushed image in the
// real Distribution registry, checks the artifacts are OCI 1.1 artifact
// manifests found through the referrers model, that Verify passes, and
// that attaching again is idempotent.
func TestPublishImage(t *testing.T) {
	img := platformImage(t, "amd64")
	repo := push(t, registrytest.New(t), "acme/api", img)
	digest := registrytest.DigestOf(t, img)
	opts := options(repo, img, map[string]string{"linux/amd64": buildBinary(t, "amd64")})
	opts.Dir = t.TempDir()
	got, err := Publish(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Kind != KindSBOM || got[1].Kind != KindProvenance {
		t.Fatalf("Publish = %+v, want an SBOM then a provenance", got)
	}
	for _, a := range got {
		if a.Subject != digest {
			t.Errorf("%s attached to %s, want %s", a.Kind, a.Subject, digest)
		}
		checkArtifact(t, repo, a, digest)
	}
	checkReferrersPath(t, repo, digest, got)
	checkImageReport(t, repo.Tag("v1").String(), digest)

	republish(t, opts, got, "re-attaching")
	// The same image pushed again by another command line and hoist
	// version: its provenance differs, but the image already has one.
	opts.Build.Args = []string{"resolve", "-f", "k8s.yaml"}
	opts.Version = "v9.9.9"
	republish(t, opts, got, "attaching from another invocation")
}

// checkImageReport verifies ref, a lone image with two attachments, and
// checks what the report prints.
func checkImageReport(t *testing.T, ref string, digest v1.Hash) {
	t.Helper()
	report, err := verify(t, ref)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(report.Manifests) != 1 || len(report.Manifests[0].Attachments) != 2 || report.Ref.DigestStr() != digest.String() {
		t.Errorf("report = %+v, want one manifest with two attachments", report)
	}
	var out bytes.Buffer
	if err := report.Write(&out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"@" + digest.String() + " (image)", "sbom", "text/spdx+json", "SPDX-2.3", "provenance", "SLSA provenance"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// republish attaches again with opts: the documents attached first (got)
// must be reused, and the image must still have exactly two referrers.
func republish(t *testing.T, opts Options, got []Attached, doing string) {
	t.Helper()
	again, err := Publish(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		if again[i].Artifact != got[i].Artifact {
			t.Errorf("%s: the %s is %s, want the existing %s (documents must be deterministic)", doing, got[i].Kind, again[i].Artifact, got[i].Artifact)
		}
	}
	ref := mustRepo(t, opts.Repository).Digest(got[0].Subject.String()).String()
	if report, _ := verify(t, ref); len(report.Manifests[0].Attachments) != 2 {
		t.Errorf("after %s, %d referrers; want still 2", doing, len(report.Manifests[0].Attachments))
	}
}

// checkArtifact fetches an artifact manifest and checks the OCI 1.1 shape
// and that its layer is byte-for-byte the file written to the directory.
func checkArtifact(t *testing.T, repo name.Repository, a Attached, subject v1.Hash) {
	t.Helper()
	m, data, err := readDocument(repo, v1.Descriptor{Digest: a.Artifact}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"mediaType", m.MediaType, types.OCIManifestSchema1},
		{"artifactType", m.ArtifactType, a.MediaType},
		{"config mediaType", m.Config.MediaType, types.OCIEmptyJSON},
		{"config size", m.Config.Size, int64(2)},
		{"config digest", m.Config.Digest.String(), "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
		{"layer mediaType", string(m.Layers[0].MediaType), a.MediaType},
		{"subject", m.Subject.Digest, subject},
		{"created", m.Annotations["org.opencontainers.image.created"], "2023-11-14T22:13:20Z"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s artifact: %s = %v, want %v", a.Kind, c.what, c.got, c.want)
		}
	}
	file, err := os.ReadFile(a.File)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, data) {
		t.Errorf("%s in the registry differs from %s", a.Kind, a.File)
	}
}

// checkReferrersPath asserts whichever referrers path the registry took:
// the API (nothing under the fallback tag) or the fallback tag's index,
// holding exactly the attached artifacts with their artifactType.
func checkReferrersPath(t *testing.T, repo name.Repository, digest v1.Hash, got []Attached) {
	t.Helper()
	fb := fallbackIndex(t, repo, digest)
	if referrersAPI(t, repo, digest) {
		t.Log("registry implements the referrers API")
		if fb != nil {
			t.Error("ggcr wrote a fallback tag although the registry has the referrers API")
		}
		return
	}
	t.Log("registry lacks the referrers API: ggcr used the sha256-<hex> fallback tag")
	if fb == nil || fb.MediaType != types.OCIImageIndex || len(fb.Manifests) != len(got) {
		t.Fatalf("fallback index = %+v, want an OCI index of the %d artifacts", fb, len(got))
	}
	listed := map[v1.Hash]string{}
	for _, d := range fb.Manifests {
		listed[d.Digest] = d.ArtifactType
	}
	for _, a := range got {
		if listed[a.Artifact] != a.MediaType {
			t.Errorf("fallback index lists %s with artifactType %q, want %q", a.Artifact, listed[a.Artifact], a.MediaType)
		}
	}
}

// TestPublishIndex: each platform image gets the SBOM of its own binary,
// and one provenance covering the index and both images is attached to
// all three; Verify walks the index.
func TestPublishIndex(t *testing.T) {
	host := registrytest.New(t)
	imgs := map[string]v1.Image{"amd64": platformImage(t, "amd64"), "arm64": platformImage(t, "arm64")}
	idx := index(t, imgs)
	repo := push(t, host, "acme/multi", idx)
	bins := map[string]string{"linux/amd64": buildBinary(t, "amd64"), "linux/arm64": buildBinary(t, "arm64")}
	opts := options(repo, idx, bins)
	opts.SBOM = sbom.FormatCycloneDX
	opts.Dir = t.TempDir()
	got, err := Publish(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 {
		t.Fatalf("attached %d documents, want 2 SBOMs and 3 provenance", len(got))
	}
	for arch, img := range imgs {
		checkPlatformSBOM(t, filepath.Join(opts.Dir, "multi-linux-"+arch+".cdx.json"), img, arch)
	}
	prov, err := os.ReadFile(filepath.Join(opts.Dir, "multi.intoto.json"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := provenance.Parse(prov)
	if err != nil || len(st.Subjects) != 3 {
		t.Fatalf("provenance subjects = %+v (%v), want the index and two images", st.Subjects, err)
	}

	report, err := verify(t, repo.Tag("v1").String())
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := []struct {
		platform    string
		attachments int
	}{{"", 1}, {"linux/amd64", 2}, {"linux/arm64", 2}}
	if len(report.Manifests) != len(want) {
		t.Fatalf("report has %d manifests, want %d", len(report.Manifests), len(want))
	}
	for i, w := range want {
		m := report.Manifests[i]
		p := ""
		if m.Platform != nil {
			p = m.Platform.String()
		}
		if p != w.platform || len(m.Attachments) != w.attachments {
			t.Errorf("manifest %d: platform %q with %d attachments, want %q with %d", i, p, len(m.Attachments), w.platform, w.attachments)
		}
	}
}

// checkPlatformSBOM: the file describes img and came from arch's binary.
func checkPlatformSBOM(t *testing.T, file string, img v1.Image, arch string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	d := registrytest.DigestOf(t, img)
	info, err := sbom.Inspect(sbom.CycloneDXMediaType, b)
	if err != nil || info.Digest != d.String() {
		t.Errorf("%s SBOM describes %q (%v), want %s", arch, info.Digest, err, d)
	}
	if !bytes.Contains(b, []byte(`"value": "`+arch+`"`)) || !bytes.Contains(b, []byte("pkg:golang/golang.org/x/sync@")) {
		t.Errorf("%s SBOM is not from the %s binary, or lacks x/sync", arch, arch)
	}
}

func TestPublishErrors(t *testing.T) {
	img := platformImage(t, "amd64")
	bin := buildBinary(t, "amd64")
	repo := mustRepo(t, "localhost:1/x")
	cases := []struct {
		name string
		edit func(*Options)
		want string
	}{
		{"no binary", func(o *Options) { o.Binaries = nil }, "no binary given for platform linux/amd64"},
		{"not a Go binary", func(o *Options) { o.Binaries = map[string]string{"linux/amd64": "attest_test.go"} }, "reading build info of attest_test.go"},
		{"no name", func(o *Options) { o.Repository = "" }, "no image name or repository"},
		{"index lacks a platform", func(o *Options) {
			o.Artifact = index(t, map[string]v1.Image{"amd64": img, "arm64": platformImage(t, "arm64")})
		}, "no binary given for platform linux/arm64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := options(repo, img, map[string]string{"linux/amd64": bin})
			opts.Dir = t.TempDir()
			tc.edit(&opts)
			_, err := Publish(context.Background(), opts)
			hoisttest.WantError(t, err, tc.want)
			if entries, _ := os.ReadDir(opts.Dir); len(entries) != 0 {
				t.Errorf("a failed Publish wrote %d files", len(entries))
			}
		})
	}
}

// TestPublishToDirOnly is the layout/tarball case: no registry, files only.
func TestPublishToDirOnly(t *testing.T) {
	img := platformImage(t, "amd64")
	opts := options(mustRepo(t, "localhost:1/x"), img, map[string]string{"any": buildBinary(t, "amd64")})
	opts.Repository, opts.Name, opts.Dir = "", "api", filepath.Join(t.TempDir(), "sboms")
	got, err := Publish(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got {
		if (a.Artifact != v1.Hash{}) {
			t.Errorf("%s pushed without a repository", a.Kind)
		}
	}
	for _, f := range []string{"api.spdx.json", "api.intoto.json"} {
		if _, err := os.Stat(filepath.Join(opts.Dir, f)); err != nil {
			t.Error(err)
		}
	}
}
