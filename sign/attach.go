package sign

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Bounds on what is read from a registry: cosign refuses more than 1000
// layers in a signature image, and an SBOM in an attestation is rarely more
// than a few MiB.
const (
	maxLayers  = 1000
	maxPayload = 64 << 20
	maxTotal   = 256 << 20
)

// Tag suffixes of cosign's signature and attestation images.
const (
	sigSuffix = "sig"
	attSuffix = "att"
)

// tagFor is the tag cosign keeps digest d's signatures (suffix "sig") or
// attestations ("att") under: "sha256-<hex>.sig".
func tagFor(repo name.Repository, d v1.Hash, suffix string) name.Tag {
	return repo.Tag(fmt.Sprintf("%s-%s.%s", d.Algorithm, d.Hex, suffix))
}

// stored is one layer of a signature or attestation image.
type stored struct {
	digest      v1.Hash
	mediaType   types.MediaType
	annotations map[string]string
	payload     []byte
	// err is why the payload could not be read; the layer is then skipped.
	err error
}

// readImage fetches the image at tag and its layers; a nil image and no
// error when the tag does not exist.
func readImage(tag name.Tag, ropts []remote.Option) (v1.Image, []stored, error) {
	img, err := remote.Image(tag, ropts...)
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("fetching %s: %w", tag, err)
	}
	m, err := img.Manifest()
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %w", tag, err)
	}
	if len(m.Layers) > maxLayers {
		return nil, nil, fmt.Errorf("%s has %d layers, more than the %d cosign allows", tag, len(m.Layers), maxLayers)
	}
	var total int64
	for _, d := range m.Layers {
		total += d.Size
	}
	if total > maxTotal {
		return nil, nil, fmt.Errorf("%s holds %d bytes of layers, more than the %d-byte limit", tag, total, maxTotal)
	}
	out := make([]stored, len(m.Layers))
	for i, d := range m.Layers {
		out[i] = stored{digest: d.Digest, mediaType: d.MediaType, annotations: d.Annotations}
		out[i].payload, out[i].err = readPayload(img, d)
	}
	return img, out, nil
}

func readPayload(img v1.Image, d v1.Descriptor) ([]byte, error) {
	if d.Size > maxPayload {
		return nil, fmt.Errorf("layer %s of %d bytes exceeds the %d-byte limit", d.Digest, d.Size, maxPayload)
	}
	l, err := img.LayerByDigest(d.Digest)
	if err != nil {
		return nil, fmt.Errorf("fetching layer %s: %w", d.Digest, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, fmt.Errorf("fetching layer %s: %w", d.Digest, err)
	}
	defer rc.Close()
	// ggcr checks the blob against its digest when the read reaches EOF.
	data, err := io.ReadAll(io.LimitReader(rc, maxPayload+1))
	if err != nil {
		return nil, fmt.Errorf("reading layer %s: %w", d.Digest, err)
	}
	if len(data) > maxPayload {
		return nil, fmt.Errorf("layer %s exceeds the %d-byte limit", d.Digest, maxPayload)
	}
	return data, nil
}

// emptySignatures is the image cosign starts a signature or attestation
// image from: no layers, OCI media types.
func emptySignatures() v1.Image {
	return mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
}

// appendLayer adds a layer to the image at tag unless a layer there
// already satisfies have; build makes the layer and its annotations only
// when it is needed. The tag is read, extended and written without a lock:
// callers write to one tag at a time. It reports whether it wrote.
func appendLayer(tag name.Tag, have func(stored) bool, build func() (Layer, map[string]string, error), ropts []remote.Option) (bool, error) {
	base, layers, err := readImage(tag, ropts)
	if err != nil {
		return false, err
	}
	for _, l := range layers {
		if l.err == nil && have(l) {
			return false, nil
		}
	}
	if base == nil {
		base = emptySignatures()
	}
	l, ann, err := build()
	if err != nil {
		return false, err
	}
	img, err := mutate.Append(base, mutate.Addendum{
		Layer:       static.NewLayer(l.Payload, types.MediaType(l.MediaType)),
		Annotations: ann,
	})
	if err != nil {
		return false, fmt.Errorf("adding to %s: %w", tag, err)
	}
	if err := remote.Write(tag, img, ropts...); err != nil {
		return false, fmt.Errorf("writing %s: %w", tag, err)
	}
	return true, nil
}

// samePayload reports whether a stored layer holds payload.
func samePayload(l stored, mediaType string, payload []byte) bool {
	return string(l.mediaType) == mediaType && bytes.Equal(l.payload, payload)
}
