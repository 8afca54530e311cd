package pipeline_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/hoist-build/hoist/attest"
	"github.com/hoist-build/hoist/internal/registrytest"
	regclient "github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
)

// TestSupplyChainAttached pushes a two-platform index with SBOMs and
// provenance and checks that verification finds them for every manifest,
// and that the documents are also written to the SBOM directory.
func TestSupplyChainAttached(t *testing.T) {
	host := registrytest.New(t)
	opts := options(t, repoRoot(t), registry(t, host), "amd64", "arm64")
	opts.SBOM, opts.Provenance, opts.SBOMDir = sbom.FormatCycloneDX, true, t.TempDir()
	res := run(t, opts)
	ref, err := name.ParseReference(res.Ref)
	if err != nil {
		t.Fatal(err)
	}
	report, err := attest.Verify(context.Background(), ref, regclient.Options{})
	if err != nil {
		t.Fatalf("verifying %s: %v", ref, err)
	}
	if err := report.Err(); err != nil {
		t.Fatalf("verification failed: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(opts.SBOMDir, "*"))
	if err != nil || len(files) < 3 {
		t.Fatalf("sbom dir holds %v (%v), want two SBOMs and a provenance", files, err)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Size() == 0 {
			t.Errorf("%s is empty or unreadable: %v", f, err)
		}
	}
}
