package containerd

import (
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func digestOf(h v1.Hash) digest.Digest { return digest.Digest(h.String()) }

func ocispecDescriptor(h v1.Hash, size int64) ocispec.Descriptor {
	return ocispec.Descriptor{Digest: digestOf(h), Size: size}
}
