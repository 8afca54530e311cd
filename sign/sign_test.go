package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/secure-systems-lab/go-securesystemslib/dsse"

	"github.com/hoist-build/hoist/internal/hoisttest"
	"github.com/hoist-build/hoist/internal/registrytest"
	"github.com/hoist-build/hoist/registry"
)

func newSigner(t *testing.T) *KeySigner {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewKeySigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pushIndex pushes a two-image index and returns its reference and the
// manifests to sign: the index with provenance, each image with an SBOM
// and the provenance, as hoist attests them.
func pushIndex(t *testing.T, host string) (name.Digest, []Manifest) {
	t.Helper()
	idx, _ := registrytest.PlatformIndex(t, v1.Platform{OS: "linux", Architecture: "amd64"}, v1.Platform{OS: "linux", Architecture: "arm64"})
	d := registrytest.DigestOf(t, idx)
	repo, err := name.NewRepository(host + "/team/app")
	if err != nil {
		t.Fatal(err)
	}
	ref := repo.Digest(d.String())
	registrytest.Write(t, ref.String(), idx)
	wm := registrytest.IndexManifest(t, idx)
	subjects := []Subject{{repo.Name(), d}}
	for _, c := range wm.Manifests {
		subjects = append(subjects, Subject{repo.Name(), c.Digest})
	}
	prov := mustStatement(t, PredicateSLSA1, `{"buildDefinition":{}}`, subjects...)
	ms := []Manifest{{Ref: ref, Statements: [][]byte{prov}}}
	for _, c := range wm.Manifests {
		sbomSt := mustStatement(t, PredicateSPDX, `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT"}`, Subject{repo.Name(), c.Digest})
		ms = append(ms, Manifest{Ref: repo.Digest(c.Digest.String()), Statements: [][]byte{sbomSt, prov}})
	}
	return ref, ms
}

func mustStatement(t *testing.T, pt, predicate string, subjects ...Subject) []byte {
	t.Helper()
	st, err := Statement(pt, []byte(predicate), subjects...)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func layerCount(t *testing.T, ref name.Digest, suffix string) int {
	t.Helper()
	_, ls, err := readImage(tagFor(ref.Context(), digestOf(ref), suffix), nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(ls)
}

// TestPublishVerify signs an index and its images on a registry without the
// referrers API (Distribution) and on one with it (ggcr's), checks that
// Verify accepts them with the key and refuses them with another, and that
// a rerun adds nothing.
func TestPublishVerify(t *testing.T) {
	for _, tc := range []struct {
		name string
		host func(testing.TB) string
	}{{"distribution", registrytest.New}, {"referrers-api", registrytest.NewWithReferrers}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ref, ms := pushIndex(t, tc.host(t))
			s := newSigner(t)
			opts := Options{Signer: s}
			for range 2 {
				if err := Publish(ctx, opts, ms); err != nil {
					t.Fatal(err)
				}
			}
			for _, m := range ms {
				if n := layerCount(t, m.Ref, sigSuffix); n != 1 {
					t.Errorf("%s: %d signatures after two runs, want 1", m.Ref, n)
				}
				if n := layerCount(t, m.Ref, attSuffix); n != len(m.Statements) {
					t.Errorf("%s: %d attestations after two runs, want %d", m.Ref, n, len(m.Statements))
				}
			}
			report, err := Verify(ctx, ref, s.Public(), registry.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(report.Manifests) != 3 {
				t.Fatalf("verified %d manifests, want the index and 2 images", len(report.Manifests))
			}
			_, err = Verify(ctx, ref, newSigner(t).Public(), registry.Options{})
			if err == nil || !strings.Contains(err.Error(), "no signature verifies with the key") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("another key: err = %v, want one line saying no signature verifies", err)
			}
		})
	}
}

// TestVerifyRefusesTampering replaces the signature's payload, or the
// attestation's statement, with one naming another digest, keeping the
// signatures: Verify must fail in one line naming what is wrong.
func TestVerifyRefusesTampering(t *testing.T) {
	for _, tc := range []struct {
		name, suffix, want string
	}{
		{"signature", sigSuffix, "no signature verifies"},
		{"attestation", attSuffix, "attestation verifies with the key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			_, ms := pushIndex(t, registrytest.New(t))
			s := newSigner(t)
			if err := Publish(ctx, Options{Signer: s}, ms); err != nil {
				t.Fatal(err)
			}
			img := ms[1].Ref // a platform image
			tamper(t, tagFor(img.Context(), digestOf(img), tc.suffix), digestOf(img).Hex, digestOf(ms[2].Ref).Hex)
			_, err := Verify(ctx, img, s.Public(), registry.Options{})
			hoisttest.WantErrorLine(t, err, tc.want)
		})
	}
}

// tamper rewrites every layer of the image at tag to name digest hex to
// instead of from (inside the DSSE envelope for an attestation), keeping
// media types and annotations, so the signatures stay as they were.
func tamper(t *testing.T, tag name.Tag, from, to string) {
	t.Helper()
	_, layers, err := readImage(tag, nil)
	if err != nil || len(layers) == 0 {
		t.Fatalf("reading %s: %v (%d layers)", tag, err, len(layers))
	}
	img := emptySignatures()
	for _, l := range layers {
		p := []byte(strings.ReplaceAll(string(l.payload), from, to))
		if string(l.mediaType) == DSSEMediaType {
			var env dsse.Envelope
			if err := json.Unmarshal(l.payload, &env); err != nil {
				t.Fatal(err)
			}
			st, _ := base64.StdEncoding.DecodeString(env.Payload)
			env.Payload = base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(string(st), from, to)))
			if p, err = json.Marshal(env); err != nil {
				t.Fatal(err)
			}
		}
		if string(p) == string(l.payload) {
			t.Fatalf("%s: layer %s does not name %s", tag, l.digest, from)
		}
		img, err = mutate.Append(img, mutate.Addendum{Layer: static.NewLayer(p, l.mediaType), Annotations: l.annotations})
		if err != nil {
			t.Fatal(err)
		}
	}
	registrytest.Write(t, tag.String(), img)
}

func TestPublishRefusesStatementAboutAnotherDigest(t *testing.T) {
	_, ms := pushIndex(t, registrytest.New(t))
	ms[1].Statements = ms[2].Statements[:1] // the other image's SBOM
	err := Publish(context.Background(), Options{Signer: newSigner(t)}, ms)
	if err == nil || !strings.Contains(err.Error(), "not about this digest") {
		t.Fatalf("err = %v, want a refusal", err)
	}
}
