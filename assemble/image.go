package assemble

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Options describes the image to assemble on top of Base.
type Options struct {
	Base     v1.Image
	Platform v1.Platform
	Layers   []Layer
	// Entrypoint is the single process; Cmd is cleared so that nothing the
	// base set is appended to it.
	Entrypoint []string
	// User and WorkingDir replace the base's when set.
	User       string
	WorkingDir string
	// Env entries override the base's by key, keeping the base's order.
	Env []string
	// Ports are exposed in addition to the base's, as "80/tcp".
	Ports       []string
	Labels      map[string]string
	Annotations map[string]string
	Created     time.Time
}

// Image assembles one platform's image.
func Image(ctx context.Context, opts Options) (v1.Image, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if opts.Base == nil {
		return nil, fmt.Errorf("assembling image: no base image")
	}
	img, err := appendLayers(opts.Base, opts.Layers)
	if err != nil {
		return nil, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading base config: %w", err)
	}
	cfg = cfg.DeepCopy()
	applyConfig(cfg, opts)
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		return nil, fmt.Errorf("writing config: %w", err)
	}
	if len(opts.Annotations) > 0 {
		img = mutate.Annotations(img, opts.Annotations).(v1.Image)
	}
	return img, nil
}

func applyConfig(cfg *v1.ConfigFile, opts Options) {
	setPlatform(cfg, opts.Platform)
	c := &cfg.Config
	c.Entrypoint = opts.Entrypoint
	c.Cmd = nil
	if opts.User != "" {
		c.User = opts.User
	}
	if opts.WorkingDir != "" {
		c.WorkingDir = opts.WorkingDir
	}
	c.Env = MergeEnv(c.Env, opts.Env)
	for _, p := range opts.Ports {
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		c.ExposedPorts[p] = struct{}{}
	}
	for k, v := range opts.Labels {
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		c.Labels[k] = v
	}
	date(cfg, opts.Created)
	// Hostname and other runtime fields from a pulled base are meaningless
	// for a new image; keep only what describes the process.
	c.Hostname, c.Domainname = "", ""
}

// date sets the image's creation time, and gives it to every history entry:
// the base's own times would otherwise make the config depend on when the
// base was made.
func date(cfg *v1.ConfigFile, created time.Time) {
	cfg.Created = v1.Time{Time: created.UTC()}
	for i := range cfg.History {
		cfg.History[i].Created = cfg.Created
	}
}

// MergeEnv returns base with each KEY=VALUE of add replacing the entry of the
// same key, or appended when base has none.
func MergeEnv(base, add []string) []string {
	out := append([]string(nil), base...)
	for _, kv := range add {
		key, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, old := range out {
			if k, _, _ := strings.Cut(old, "="); k == key {
				out[i], replaced = kv, true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}

// Index joins per-platform images into an OCI image index, ordered by
// platform so the index digest does not depend on which build finished first.
func Index(imgs []v1.Image) (v1.ImageIndex, error) {
	type entry struct {
		img v1.Image
		p   v1.Platform
	}
	entries := make([]entry, 0, len(imgs))
	for _, img := range imgs {
		cfg, err := img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("reading config: %w", err)
		}
		entries = append(entries, entry{img, v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant, OSVersion: cfg.OSVersion}})
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].p.String() < entries[j].p.String() })
	for i := 1; i < len(entries); i++ {
		if entries[i].p.String() == entries[i-1].p.String() {
			return nil, fmt.Errorf("indexing: two images for platform %s", entries[i].p.String())
		}
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	adds := make([]mutate.IndexAddendum, 0, len(entries))
	for _, e := range entries {
		p := e.p
		adds = append(adds, mutate.IndexAddendum{Add: plainImage{e.img}, Descriptor: v1.Descriptor{Platform: &p}})
	}
	return mutate.AppendManifests(idx, adds...), nil
}

// plainImage hides the artifactType ggcr would otherwise derive from the
// config media type: the OCI spec reserves the field for artifacts, and
// containers/image (skopeo, podman) drops it when copying, changing the
// index digest.
type plainImage struct{ v1.Image }

func (plainImage) ArtifactType() (string, error) { return "", nil }
