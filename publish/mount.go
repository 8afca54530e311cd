package publish

import (
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// BlobSources remembers which repository of a registry already holds a
// blob, so that pushing it to another repository mounts it (one request, no
// bytes) instead of uploading it, as jib and crane do.
type BlobSources interface {
	Lookup(registry string, digest v1.Hash) (repo string, ok bool)
	Record(registry, repo string, digests []v1.Hash)
}

// withMounts wraps art so that every layer known to be in another
// repository of the same registry is a remote.MountableLayer; ggcr then
// asks the registry to mount it and falls back to an upload if refused.
func withMounts(art Artifact, repo name.Repository, src BlobSources) Artifact {
	if src == nil {
		return art
	}
	m := mounter{repo: repo, src: src}
	switch a := art.(type) {
	case v1.ImageIndex:
		return mountIndex{a, m}
	case v1.Image:
		return mountImage{a, m}
	}
	return art
}

type mounter struct {
	repo name.Repository
	src  BlobSources
}

func (m mounter) wrap(l v1.Layer) v1.Layer {
	d, err := l.Digest()
	if err != nil {
		return l
	}
	from, ok := m.src.Lookup(m.repo.RegistryStr(), d)
	if !ok || from == m.repo.RepositoryStr() {
		return l
	}
	ref := m.repo.Registry.Repo(from).Digest(d.String())
	return &remote.MountableLayer{Layer: l, Reference: ref}
}

type mountImage struct {
	v1.Image
	m mounter
}

func (i mountImage) Layers() ([]v1.Layer, error) {
	ls, err := i.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for j, l := range ls {
		out[j] = i.m.wrap(l)
	}
	return out, nil
}

// mountIndex delegates by hand: embedding v1.ImageIndex would make the
// field's name hide the interface's ImageIndex method.
type mountIndex struct {
	idx v1.ImageIndex
	m   mounter
}

func (x mountIndex) MediaType() (types.MediaType, error)       { return x.idx.MediaType() }
func (x mountIndex) Digest() (v1.Hash, error)                  { return x.idx.Digest() }
func (x mountIndex) Size() (int64, error)                      { return x.idx.Size() }
func (x mountIndex) IndexManifest() (*v1.IndexManifest, error) { return x.idx.IndexManifest() }
func (x mountIndex) RawManifest() ([]byte, error)              { return x.idx.RawManifest() }

func (x mountIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	idx, err := x.idx.ImageIndex(h)
	if err != nil {
		return nil, err
	}
	return mountIndex{idx, x.m}, nil
}

func (x mountIndex) Image(h v1.Hash) (v1.Image, error) {
	img, err := x.idx.Image(h)
	if err != nil {
		return nil, err
	}
	return mountImage{img, x.m}, nil
}

// layerDigests lists the layers of an image, or of every image of an index.
func layerDigests(art Artifact) []v1.Hash {
	var imgs []v1.Image
	switch a := art.(type) {
	case v1.Image:
		imgs = []v1.Image{a}
	case v1.ImageIndex:
		children, _ := partial.FindImages(a, func(v1.Descriptor) bool { return true })
		imgs = children
	}
	var out []v1.Hash
	for _, img := range imgs {
		ls, _ := img.Layers()
		for _, l := range ls {
			if d, err := l.Digest(); err == nil {
				out = append(out, d)
			}
		}
	}
	return out
}
