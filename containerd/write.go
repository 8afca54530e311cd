package containerd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"

	imagesapi "github.com/containerd/containerd/api/services/images/v1"
	apitypes "github.com/containerd/containerd/api/types"
	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/errdefs"
	"github.com/containerd/errdefs/pkg/errgrpc"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/hoist-build/hoist/publish"
)

// gcRef labels tell containerd's garbage collector which blobs a manifest
// or index holds: without them it would collect the config and layers of
// an image whose record points only at the manifest.
const gcRef = "containerd.io/gc.ref.content."

// writer copies an artifact's blobs into a content store, children first,
// so every blob a record or manifest names is there before it.
type writer struct {
	cs               content.Store
	written, present int
}

// descriptor is what an image record points at.
type descriptor struct {
	MediaType string
	Digest    v1.Hash
	Size      int64
}

func (w *writer) artifact(ctx context.Context, art publish.Artifact) (descriptor, error) {
	switch a := art.(type) {
	case v1.Image:
		return w.image(ctx, a)
	case v1.ImageIndex:
		return w.index(ctx, a)
	}
	return descriptor{}, fmt.Errorf("%T is neither an image nor an index", art)
}

func (w *writer) index(ctx context.Context, idx v1.ImageIndex) (descriptor, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return descriptor{}, err
	}
	labels := map[string]string{}
	for i, d := range m.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			return descriptor{}, fmt.Errorf("reading platform image %s: %w", d.Digest, err)
		}
		if _, err := w.image(ctx, img); err != nil {
			return descriptor{}, err
		}
		labels[gcRef+"m."+strconv.Itoa(i)] = d.Digest.String()
	}
	return w.manifest(ctx, idx, labels)
}

func (w *writer) image(ctx context.Context, img v1.Image) (descriptor, error) {
	layers, err := img.Layers()
	if err != nil {
		return descriptor{}, err
	}
	labels := map[string]string{}
	for i, l := range layers {
		d, err := partial.Descriptor(l)
		if err != nil {
			return descriptor{}, err
		}
		if err := w.blob(ctx, d.Digest, d.Size, nil, l.Compressed); err != nil {
			return descriptor{}, fmt.Errorf("writing layer %s: %w", d.Digest, err)
		}
		labels[gcRef+"l."+strconv.Itoa(i)] = d.Digest.String()
	}
	cfgDigest, _, err := w.inMemory(ctx, "config", img.RawConfigFile, nil)
	if err != nil {
		return descriptor{}, err
	}
	labels[gcRef+"config"] = cfgDigest.String()
	return w.manifest(ctx, img, labels)
}

// manifester is what images and indexes have in common: a manifest.
type manifester interface {
	RawManifest() ([]byte, error)
	MediaType() (types.MediaType, error)
}

// manifest writes the manifest of an image or index with its gc labels,
// setting them also when the blob was already there (from an import
// without them).
func (w *writer) manifest(ctx context.Context, m manifester, labels map[string]string) (descriptor, error) {
	mt, err := m.MediaType()
	if err != nil {
		return descriptor{}, err
	}
	d, size, err := w.inMemory(ctx, "manifest", m.RawManifest, labels)
	if err != nil {
		return descriptor{}, err
	}
	info := content.Info{Digest: digestOf(d), Labels: labels}
	paths := make([]string, 0, len(labels))
	for k := range labels {
		paths = append(paths, "labels."+k)
	}
	if _, err := w.cs.Update(ctx, info, paths...); err != nil {
		return descriptor{}, fmt.Errorf("labelling manifest %s: %w", d, err)
	}
	return descriptor{MediaType: string(mt), Digest: d, Size: size}, nil
}

// blob writes one blob unless the store has it: an unchanged base or
// dependency layer costs one Info call.
func (w *writer) blob(ctx context.Context, d v1.Hash, size int64, labels map[string]string, open func() (io.ReadCloser, error)) error {
	if _, err := w.cs.Info(ctx, digestOf(d)); err == nil {
		w.present++
		return nil
	} else if !errdefs.IsNotFound(err) {
		return err
	}
	r, err := open()
	if err != nil {
		return err
	}
	defer r.Close()
	desc := ocispecDescriptor(d, size)
	var opts []content.Opt
	if labels != nil {
		opts = append(opts, content.WithLabels(labels))
	}
	if err := content.WriteBlob(ctx, w.cs, "hoist-"+d.Hex, r, desc, opts...); err != nil {
		return err
	}
	w.written++
	return nil
}

// inMemory writes a blob held in memory (a config or manifest, from raw)
// and returns its digest and size.
func (w *writer) inMemory(ctx context.Context, what string, raw func() ([]byte, error), labels map[string]string) (v1.Hash, int64, error) {
	data, err := raw()
	if err != nil {
		return v1.Hash{}, 0, err
	}
	d, size, err := v1.SHA256(bytes.NewReader(data))
	if err != nil {
		return v1.Hash{}, 0, err
	}
	open := func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	if err := w.blob(ctx, d, size, labels, open); err != nil {
		return v1.Hash{}, 0, fmt.Errorf("writing %s %s: %w", what, d, err)
	}
	return d, size, nil
}

// putImage creates the record, or repoints an existing one: a tag moves to
// the new build as a registry tag would.
func putImage(ctx context.Context, is imagesapi.ImagesClient, name string, d descriptor) error {
	img := &imagesapi.Image{
		Name: name,
		// The CRI plugin of containerd 1.7+ marks images it manages so;
		// 1.6 ignores the label.
		Labels: map[string]string{"io.cri-containerd.image": "managed"},
		Target: &apitypes.Descriptor{MediaType: d.MediaType, Digest: d.Digest.String(), Size: d.Size},
	}
	_, err := is.Create(ctx, &imagesapi.CreateImageRequest{Image: img})
	if err == nil || !errdefs.IsAlreadyExists(errgrpc.ToNative(err)) {
		return errgrpc.ToNative(err)
	}
	_, err = is.Update(ctx, &imagesapi.UpdateImageRequest{Image: img,
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"target", "labels.io.cri-containerd.image"}}})
	return errgrpc.ToNative(err)
}
