package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Tarball publishes a `docker load`-able tarball.
type Tarball struct {
	Path string
	// Repo prefixes the image name in the tarball's tags, when set.
	Repo string
	Tags []string
}

// NewTarball checks that the file can be created before anything is built.
func NewTarball(path, repo string, tags []string) (*Tarball, error) {
	if err := ValidateTags(tags); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("writing tarball %s: directory %s does not exist: create it first", path, dir)
	}
	return &Tarball{Path: path, Repo: repo, Tags: tags}, nil
}

// Publish writes the tarball and returns PATH@DIGEST, where DIGEST is the
// one skopeo reports for the file (see ArchiveDigest): the image's own
// manifest digest is not in a docker-archive, and a digest the file cannot
// be checked against would only mislead. The image ID `docker load` shows is
// the config digest, logged by the caller.
//
// Publish writes the tarball to a temporary file beside the destination and
// renames it into place, so the file is either the old one or complete.
func (t *Tarball) Publish(ctx context.Context, imageName string, art Artifact) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	img, ok := art.(v1.Image)
	if !ok {
		return "", fmt.Errorf("writing tarball %s: a tarball holds one platform: pass one --platform, or use --oci-layout for several", t.Path)
	}
	refs := map[name.Reference]v1.Image{}
	repo := imageName
	if t.Repo != "" {
		repo = t.Repo + "/" + imageName
	}
	for _, tag := range tagsOrDefault(t.Tags) {
		ref, err := name.NewTag(repo + ":" + tag)
		if err != nil {
			return "", fmt.Errorf("invalid image name %q: %w", repo+":"+tag, err)
		}
		refs[ref] = img
	}
	digest, err := ArchiveDigest(img)
	if err != nil {
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(t.Path), ".hoist-*.tar")
	if err != nil {
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600; a tarball is meant to be shared.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	if err := tarball.MultiRefWrite(refs, tmp); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	if err := os.Rename(tmp.Name(), t.Path); err != nil {
		return "", fmt.Errorf("writing tarball %s: %w", t.Path, err)
	}
	return t.Path + "@" + digest.String(), nil
}

// ArchiveDigest is the digest of the manifest a docker-archive reader
// (containers/image: skopeo, podman, buildah) derives from the tarball: a
// Docker schema 2 manifest of the config and of the layers as the archive
// holds them, described by their uncompressed size and diff ID.
func ArchiveDigest(img v1.Image) (v1.Hash, error) {
	cfg, err := img.RawConfigFile()
	if err != nil {
		return v1.Hash{}, err
	}
	cfgDigest, _, err := v1.SHA256(bytes.NewReader(cfg))
	if err != nil {
		return v1.Hash{}, err
	}
	type desc struct {
		MediaType string `json:"mediaType"`
		Size      int64  `json:"size"`
		Digest    string `json:"digest"`
	}
	m := struct {
		SchemaVersion int    `json:"schemaVersion"`
		MediaType     string `json:"mediaType"`
		Config        desc   `json:"config"`
		Layers        []desc `json:"layers"`
	}{2, string(types.DockerManifestSchema2), desc{string(types.DockerConfigJSON), int64(len(cfg)), cfgDigest.String()}, []desc{}}
	ls, err := img.Layers()
	if err != nil {
		return v1.Hash{}, err
	}
	for _, l := range ls {
		diffID, err := l.DiffID()
		if err != nil {
			return v1.Hash{}, err
		}
		size, err := uncompressedSize(l)
		if err != nil {
			return v1.Hash{}, err
		}
		m.Layers = append(m.Layers, desc{string(types.DockerLayer), size, diffID.String()})
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return v1.Hash{}, err
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	return h, err
}

func uncompressedSize(l v1.Layer) (int64, error) {
	rc, err := l.Uncompressed()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	return io.Copy(io.Discard, rc)
}
