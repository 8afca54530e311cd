package publish

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/hoist-build/hoist/registry"
)

// RegistryOptions configures publishing to a registry.
type RegistryOptions struct {
	// Repo is the repository prefix, e.g. "ghcr.io/acme"; the image name is
	// appended unless Bare is set.
	Repo   string
	Bare   bool
	Tags   []string
	Remote registry.Options
	Logger *slog.Logger
	// Progress, when set, is told the bytes uploaded so far for an image.
	Progress func(imageName string, done, total int64)
	// Sources, when set, turns uploads of blobs already in another
	// repository of the registry into mounts, and learns from each push.
	Sources BlobSources
}

// Registry publishes to a container registry.
type Registry struct {
	opts RegistryOptions
}

// NewRegistry validates the repository and tags up front, before anything
// is built.
func NewRegistry(opts RegistryOptions) (*Registry, error) {
	if _, err := name.NewRepository(opts.Repo, opts.Remote.NameOptions(opts.Repo)...); err != nil || opts.Repo == "" {
		return nil, fmt.Errorf("invalid repository %q: want REGISTRY/PATH in lower case, e.g. ghcr.io/acme", opts.Repo)
	}
	if err := ValidateTags(opts.Tags); err != nil {
		return nil, err
	}
	if err := opts.Remote.Validate(); err != nil {
		return nil, err
	}
	if opts.Remote.Logger == nil {
		opts.Remote.Logger = opts.Logger
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Registry{opts: opts}, nil
}

// Repository returns the repository an image name is published to.
func (r *Registry) Repository(imageName string) (name.Repository, error) {
	repo := r.opts.Repo
	if !r.opts.Bare {
		repo += "/" + imageName
	}
	ref, err := name.NewRepository(repo, r.opts.Remote.NameOptions(repo)...)
	if err != nil {
		return name.Repository{}, fmt.Errorf("invalid image name %q: %w", repo, err)
	}
	return ref, nil
}

// Publish pushes the artifact under its first tag, then adds the other tags.
// ggcr uploads every blob (and, for an index, every child manifest) before
// the manifest that names them, so a tag only ever points at a whole image,
// however often requests are retried or the push is interrupted.
func (r *Registry) Publish(ctx context.Context, imageName string, art Artifact) (string, error) {
	repo, err := r.Repository(imageName)
	if err != nil {
		return "", err
	}
	digest, err := digestOf(art)
	if err != nil {
		return "", err
	}
	host := repo.RegistryStr()
	opts, err := r.opts.Remote.RemoteOptions(ctx, host)
	if err != nil {
		return "", err
	}
	describe := r.opts.Remote.Describe
	tags := tagsOrDefault(r.opts.Tags)
	first := repo.Tag(tags[0])
	current, err := tagIsCurrent(first, digest, opts)
	if err != nil {
		return "", fmt.Errorf("pushing %s: %w", first, describe(err, host))
	}
	if current {
		r.opts.Logger.Info("registry already has this image", "ref", first.String(), "digest", digest.String())
	} else {
		r.opts.Logger.Info("pushing", "ref", first.String(), "digest", digest.String())
		if err := write(first, withMounts(art, repo, r.opts.Sources), r.withProgress(imageName, opts)); err != nil {
			return "", fmt.Errorf("pushing %s: %w", first, describe(err, host))
		}
		if r.opts.Sources != nil {
			r.opts.Sources.Record(host, repo.RepositoryStr(), layerDigests(art))
		}
	}
	for _, t := range tags[1:] {
		if current, err := tagIsCurrent(repo.Tag(t), digest, opts); err != nil || current {
			if err != nil {
				return "", fmt.Errorf("tagging %s: %w", repo.Tag(t), describe(err, host))
			}
			continue
		}
		if err := remote.Tag(repo.Tag(t), art, opts...); err != nil {
			return "", fmt.Errorf("tagging %s: %w", repo.Tag(t), describe(err, host))
		}
	}
	return repo.Digest(digest.String()).String(), nil
}

func write(tag name.Tag, art Artifact, opts []remote.Option) error {
	if idx, ok := art.(v1.ImageIndex); ok {
		return remote.WriteIndex(tag, idx, opts...)
	}
	return remote.Write(tag, art.(v1.Image), opts...)
}

// withProgress forwards ggcr's upload updates to the Progress callback; ggcr
// closes the channel when the write ends.
func (r *Registry) withProgress(imageName string, opts []remote.Option) []remote.Option {
	if r.opts.Progress == nil {
		return opts
	}
	ch := make(chan v1.Update, 16)
	go func() {
		for u := range ch {
			r.opts.Progress(imageName, u.Complete, u.Total)
		}
	}()
	return append(opts[:len(opts):len(opts)], remote.WithProgress(ch))
}
