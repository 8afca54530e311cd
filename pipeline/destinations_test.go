package pipeline_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/publish"

	"github.com/hoist-build/hoist/internal/hoisttest"
)

func TestMultiPlatformIndex(t *testing.T) {
	host := registrytest.New(t)
	res := run(t, options(t, repoRoot(t), registry(t, host), "arm64", "amd64"))
	ref, err := name.ParseReference(res.Ref)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(ref)
	if err != nil {
		t.Fatalf("pulling index: %v", err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("index does not validate: %v", err)
	}
	m := hoisttest.Must(t, idx.IndexManifest)
	var archs []string
	for _, d := range m.Manifests {
		archs = append(archs, d.Platform.Architecture)
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, _ := img.ConfigFile()
		if cfg.Architecture != d.Platform.Architecture {
			t.Errorf("manifest for %s has config architecture %s", d.Platform.Architecture, cfg.Architecture)
		}
	}
	if got := strings.Join(archs, ","); got != "amd64,arm64" {
		t.Errorf("index platforms = %s, want amd64,arm64", got)
	}
}

func TestLayoutAndTarball(t *testing.T) {
	root := repoRoot(t)
	layoutDir := filepath.Join(t.TempDir(), "oci")
	lay := layoutAt(t, layoutDir)
	fromLayout := run(t, options(t, root, lay))
	tarPath := filepath.Join(t.TempDir(), "app.tar")
	tb, err := publish.NewTarball(tarPath, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	fromTarball := run(t, options(t, root, tb))
	_, d1, _ := strings.Cut(fromLayout.Ref, "@")
	_, d2, _ := strings.Cut(fromTarball.Ref, "@")
	// The tarball's reference carries the digest a docker-archive reader
	// derives (publish.ArchiveDigest); the image must be the layout's.
	h, err := v1.NewHash(d1)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := layout.ImageIndexFromPath(layoutDir)
	if err != nil {
		t.Fatal(err)
	}
	img, err := idx.Image(h)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := publish.ArchiveDigest(img); err != nil || d2 != want.String() {
		t.Errorf("tarball digest %q, want %v (%v) of the layout's image %s", d2, want, err, d1)
	}
	if fi, err := os.Stat(tarPath); err != nil || fi.Size() < 1<<20 {
		t.Errorf("tarball %s: %v (size %d)", tarPath, err, sizeOf(fi))
	}
}

func sizeOf(fi os.FileInfo) int64 {
	if fi == nil {
		return 0
	}
	return fi.Size()
}
