package layers

import (
	"github.com/google/go-containerregistry/pkg/v1"
)

// Descriptor is what a cache must remember of a layer to reuse its blob
// without reading or compressing it again.
type Descriptor struct {
	Digest      v1.Hash     `json:"digest"`
	DiffID      v1.Hash     `json:"diffID"`
	Size        int64       `json:"size"`
	Compression Compression `json:"compression"`
}

// Describe returns the descriptor of a layer made by New.
func Describe(l v1.Layer) (Descriptor, bool) {
	ll, ok := l.(*layer)
	if !ok {
		return Descriptor{}, false
	}
	return Descriptor{Digest: ll.digest, DiffID: ll.diffID, Size: ll.size, Compression: ll.compression}, true
}

// Path is the file holding a layer's compressed blob, when New wrote it to
// disk.
func Path(l v1.Layer) string {
	if ll, ok := l.(*layer); ok {
		return ll.path
	}
	return ""
}

// FromBlob is a layer backed by an already compressed blob on disk whose
// descriptor is known; the caller vouches for the descriptor (a cache checks
// the digest before handing the blob out).
func FromBlob(path string, d Descriptor) v1.Layer {
	c := d.Compression
	if c == "" {
		c = Gzip
	}
	return &layer{path: path, digest: d.Digest, diffID: d.DiffID, size: d.Size, compression: c, mediaType: c.mediaType()}
}
