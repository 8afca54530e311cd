package attest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/hoist-build/hoist/registry"
)

// emptyConfig is the OCI empty descriptor's content: artifacts that have no
// config of their own point at these two bytes.
var emptyConfig = []byte("{}")

// Annotations set on artifact manifests and their one layer.
const (
	createdAnnotation = "org.opencontainers.image.created"
	titleAnnotation   = "org.opencontainers.image.title"
)

// artifact is an OCI 1.1 artifact manifest holding one document: an image
// manifest with artifactType, the empty config, the document as its only
// layer and the image it is about as subject. It is a ggcr image so that
// remote.Write uploads both blobs before the manifest.
type artifact struct {
	manifest []byte
	config   v1.Layer
	layer    v1.Layer
}

var _ partial.CompressedImageCore = (*artifact)(nil)

// newArtifact builds the manifest by hand: ggcr's mutate package can set a
// subject but neither artifactType nor an empty "{}" config.
func newArtifact(doc Document, created time.Time) (v1.Image, error) {
	a := &artifact{
		config: static.NewLayer(emptyConfig, types.OCIEmptyJSON),
		layer:  static.NewLayer(doc.Data, types.MediaType(doc.MediaType)),
	}
	cfg, err := partial.Descriptor(a.config)
	if err != nil {
		return nil, err
	}
	layer, err := partial.Descriptor(a.layer)
	if err != nil {
		return nil, err
	}
	layer.Annotations = map[string]string{titleAnnotation: doc.FileName}
	subject := v1.Descriptor{MediaType: doc.Subject.MediaType, Size: doc.Subject.Size, Digest: doc.Subject.Digest}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  doc.MediaType,
		Config:        *cfg,
		Layers:        []v1.Descriptor{*layer},
		Subject:       &subject,
		Annotations:   map[string]string{createdAnnotation: created.UTC().Format(time.RFC3339)},
	}
	if a.manifest, err = json.Marshal(m); err != nil {
		return nil, fmt.Errorf("encoding artifact manifest: %w", err)
	}
	return partial.CompressedToImage(a)
}

func (a *artifact) RawConfigFile() ([]byte, error)      { return emptyConfig, nil }
func (a *artifact) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
func (a *artifact) RawManifest() ([]byte, error)        { return a.manifest, nil }

func (a *artifact) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	for _, l := range []v1.Layer{a.layer, a.config} {
		if d, err := l.Digest(); err == nil && d == h {
			return l, nil
		}
	}
	return nil, fmt.Errorf("artifact has no blob %s", h)
}

// attach pushes doc as an artifact whose subject is doc.Subject, unless the
// subject already has a document of its type. The subject is
// content-addressed: a document attached by an earlier push of the same
// image (perhaps with other flags in its provenance) describes the same
// bytes, and a second one would only make consumers pick between two.
func attach(ctx context.Context, repo name.Repository, doc Document, created time.Time, opts registry.Options) (v1.Hash, error) {
	ropts, err := opts.RemoteOptions(ctx, repo.RegistryStr())
	if err != nil {
		return v1.Hash{}, err
	}
	if prev, ok := attached(repo, doc, ropts); ok {
		return prev, nil
	}
	return writeArtifact(ctx, repo, doc, created, opts)
}

// writeArtifact pushes doc as an artifact by digest (no tag). ggcr then
// records it for the referrers API: a registry that implements the API
// indexes the subject field itself; for one that does not, ggcr adds the
// artifact to the index under the fallback tag "sha256-<subject hex>".
// That tag is read, modified and written without a lock, so callers attach
// to one subject at a time.
func writeArtifact(ctx context.Context, repo name.Repository, doc Document, created time.Time, opts registry.Options) (v1.Hash, error) {
	img, err := newArtifact(doc, created)
	if err != nil {
		return v1.Hash{}, err
	}
	d, err := img.Digest()
	if err != nil {
		return v1.Hash{}, err
	}
	ropts, err := opts.RemoteOptions(ctx, repo.RegistryStr())
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.Write(repo.Digest(d.String()), img, ropts...); err != nil {
		return v1.Hash{}, fmt.Errorf("attaching %s to %s@%s: %w", doc.Kind, repo, doc.Subject.Digest, err)
	}
	return d, nil
}

// attached finds an artifact of doc's type already attached to its subject,
// through the referrers API or the fallback tag. A failed lookup counts as
// none: attaching then is what happened before the check existed.
func attached(repo name.Repository, doc Document, ropts []remote.Option) (v1.Hash, bool) {
	idx, err := remote.Referrers(repo.Digest(doc.Subject.Digest.String()), ropts...)
	if err != nil {
		return v1.Hash{}, false
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return v1.Hash{}, false
	}
	for _, desc := range m.Manifests {
		if desc.ArtifactType == doc.MediaType {
			return desc.Digest, true
		}
	}
	return v1.Hash{}, false
}

// readDocument fetches an artifact manifest and its one layer.
func readDocument(repo name.Repository, desc v1.Descriptor, ropts []remote.Option) (*v1.Manifest, []byte, error) {
	raw, err := remote.Get(repo.Digest(desc.Digest.String()), ropts...)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching artifact %s: %w", desc.Digest, err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw.Manifest))
	if err != nil {
		return nil, nil, fmt.Errorf("decoding artifact %s: %w", desc.Digest, err)
	}
	if len(m.Layers) != 1 {
		return nil, nil, fmt.Errorf("artifact %s has %d layers, want the document alone", desc.Digest, len(m.Layers))
	}
	if m.Layers[0].Size > maxDocument {
		return nil, nil, fmt.Errorf("artifact %s: document of %d bytes exceeds the %d-byte limit", desc.Digest, m.Layers[0].Size, maxDocument)
	}
	l, err := remote.Layer(repo.Digest(m.Layers[0].Digest.String()), ropts...)
	if err != nil {
		return nil, nil, fmt.Errorf("fetching document %s: %w", m.Layers[0].Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, nil, fmt.Errorf("fetching document %s: %w", m.Layers[0].Digest, err)
	}
	defer rc.Close()
	// ggcr checks the blob against its digest when the read reaches EOF.
	data, err := io.ReadAll(io.LimitReader(rc, maxDocument+1))
	if err != nil {
		return nil, nil, fmt.Errorf("reading document %s: %w", m.Layers[0].Digest, err)
	}
	if len(data) > maxDocument {
		return nil, nil, fmt.Errorf("artifact %s: document exceeds the %d-byte limit", desc.Digest, maxDocument)
	}
	return m, data, nil
}

// maxDocument bounds what verify reads into memory from a registry.
const maxDocument = 64 << 20
