package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/attest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/sbom"
)

// TestVerifyCommand runs `hoist verify` against an attested and an
// unattested image: the first prints both documents and succeeds, the
// second fails with one line saying what is missing.
func TestVerifyCommand(t *testing.T) {
	host := registrytest.New(t)
	// The test binary is a Go binary too, with build info to describe.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, repo := range []string{"attested", "bare"} {
		img, err := random.Image(256, 1)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := name.NewTag(host + "/" + repo + ":v1")
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img); err != nil {
			t.Fatal(err)
		}
		if repo == "bare" {
			continue
		}
		_, err = attest.Publish(context.Background(), attest.Options{
			Repository: ref.Context().String(), Artifact: img, Binaries: map[string]string{"linux/amd64": self},
			SBOM: sbom.FormatSPDX,
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		image   string
		wantOut []string
		wantErr string
	}{
		{host + "/attested:v1", []string{"sbom", "text/spdx+json", "provenance", "application/vnd.in-toto+json"}, ""},
		{host + "/bare:v1", []string{"(no referrers)", "! no SBOM attached"}, "no SBOM attached (and 1 more problems)"},
	}
	for _, tc := range cases {
		t.Run(tc.image, func(t *testing.T) {
			var stdout bytes.Buffer
			root := newRoot()
			root.SetOut(&stdout)
			root.SetArgs([]string{"verify", tc.image})
			err := root.ExecuteContext(context.Background())
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("hoist verify: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n")):
				t.Fatalf("hoist verify err = %v, want one line containing %q", err, tc.wantErr)
			}
			for _, want := range tc.wantOut {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
				}
			}
		})
	}
}
