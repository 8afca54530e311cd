package layers

import (
	"bytes"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Descriptor is what a cache must remember of a layer to reuse its blob
// without reading or compressing it again.
type Descriptor struct {
	Digest      v1.Hash     `json:"digest"`
	DiffID      v1.Hash     `json:"diffID"`
	Size        int64       `json:"size"`
	Compression Compression `json:"compression"`
}

// Blob is a compressed layer whose descriptor is known in advance: New
// hashes it while writing, FromBlob takes it from a cache. It is a v1.Layer,
// and callers that cache layers read its descriptor and file directly
// instead of asserting a v1.Layer back to it.
type Blob struct {
	data []byte
	path string
	desc Descriptor
}

var _ v1.Layer = (*Blob)(nil)

// FromBlob is a layer backed by an already compressed blob on disk whose
// descriptor is known; the caller vouches for the descriptor (a cache checks
// the digest before handing the blob out).
func FromBlob(path string, d Descriptor) *Blob {
	if d.Compression == "" {
		d.Compression = Gzip
	}
	return &Blob{path: path, desc: d}
}

// Descriptor is what a cache keeps of the blob.
func (b *Blob) Descriptor() Descriptor { return b.desc }

// Path is the file holding the compressed blob; "" when it is kept in
// memory (New without Options.Dir), which a cache cannot keep.
func (b *Blob) Path() string { return b.path }

func (b *Blob) Digest() (v1.Hash, error)            { return b.desc.Digest, nil }
func (b *Blob) DiffID() (v1.Hash, error)            { return b.desc.DiffID, nil }
func (b *Blob) Size() (int64, error)                { return b.desc.Size, nil }
func (b *Blob) MediaType() (types.MediaType, error) { return b.desc.Compression.mediaType(), nil }

func (b *Blob) Compressed() (io.ReadCloser, error) {
	if b.path == "" {
		return io.NopCloser(bytes.NewReader(b.data)), nil
	}
	return os.Open(b.path)
}

func (b *Blob) Uncompressed() (io.ReadCloser, error) {
	rc, err := b.Compressed()
	if err != nil {
		return nil, err
	}
	if b.desc.Compression == Zstd {
		zr, err := zstd.NewReader(rc)
		if err != nil {
			rc.Close()
			return nil, err
		}
		return &readCloser{Reader: zr, close: func() error { zr.Close(); return rc.Close() }}, nil
	}
	zr, err := gzip.NewReader(rc)
	if err != nil {
		rc.Close()
		return nil, err
	}
	return &readCloser{Reader: zr, close: rc.Close}, nil
}

type readCloser struct {
	io.Reader
	close func() error
}

func (r *readCloser) Close() error { return r.close() }
