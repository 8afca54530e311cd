package attest

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/publish"
	"github.com/hoist-build/hoist/registry"
	"github.com/hoist-build/hoist/sbom"
)

var created = time.Unix(1700000000, 0).UTC()

// buildBinary compiles testdata/withdeps for arch, the way hoist does.
func buildBinary(t *testing.T, arch string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "withdeps-"+arch)
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./testdata/withdeps")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// platformImage is a random image whose config says it is linux/arch.
func platformImage(t *testing.T, arch string) v1.Image {
	t.Helper()
	return registrytest.PlatformImage(t, v1.Platform{OS: "linux", Architecture: arch})
}

func index(t *testing.T, imgs map[string]v1.Image) v1.ImageIndex {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range []string{"amd64", "arm64"} {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: imgs[arch],
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	return idx
}

// push writes the artifact under tag v1 and returns the repository.
func push(t *testing.T, host, repo string, art publish.Artifact) name.Repository {
	t.Helper()
	registrytest.Write(t, host+"/"+repo+":v1", art)
	return mustRepo(t, host+"/"+repo)
}

func options(repo name.Repository, art publish.Artifact, binaries map[string]string) Options {
	return Options{
		Repository: repo.String(), Artifact: art, Binaries: binaries, SBOM: sbom.FormatSPDX,
		Base: func(gv string) []sbom.Component {
			return sbom.DistrolessBase("v0.0.0-20261030153154-30a33513ff6d", gv)
		},
		Build: Build{
			Source: "https://github.com/hoist-build/hoist", Commit: strings.Repeat("ab", 20),
			Args: []string{"hoist", "build", "./app"}, StartedOn: created, FinishedOn: created,
		},
		Version: "v0.0.0-test", Created: created,
	}
}

func verify(t *testing.T, ref string) (Report, error) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	return Verify(context.Background(), r, registry.Options{})
}

// referrersAPI reports whether the registry answers the OCI 1.1 referrers
// endpoint; when it does not, ggcr must have used the fallback tag.
func referrersAPI(t *testing.T, repo name.Repository, d v1.Hash) bool {
	t.Helper()
	resp, err := http.Get("http://" + repo.RegistryStr() + "/v2/" + repo.RepositoryStr() + "/referrers/" + d.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK && resp.Header.Get("Content-Type") == string(types.OCIImageIndex)
}

// fallbackIndex reads the referrers tag schema's index for d, nil if the
// tag does not exist.
func fallbackIndex(t *testing.T, repo name.Repository, d v1.Hash) *v1.IndexManifest {
	t.Helper()
	desc, err := remote.Get(repo.Tag(strings.Replace(d.String(), ":", "-", 1)))
	if err != nil {
		return nil
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(desc.Manifest, &im); err != nil {
		t.Fatal(err)
	}
	return &im
}

func mustRepo(t *testing.T, s string) name.Repository {
	t.Helper()
	r, err := name.NewRepository(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
