package pipeline

import (
	"archive/tar"
	"context"
	"crypto/md5"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hoist-build/hoist/assemble"
	"github.com/hoist-build/hoist/config"
	"github.com/hoist-build/hoist/layers"
)

// imageName is the name the target's image is published under.
func (t *target) imageName() string {
	if t.image != "" {
		return t.image
	}
	return t.name
}

// members are the target and the other commands its image holds.
func (t *target) members() []*target {
	return append([]*target{t}, t.extra...)
}

// inspectImages resolves the .hoist.yaml images entries: several commands
// in one image (ko cannot, ko#251). The entrypoint's target carries the
// image; the others are built for the same base and platforms and add
// their binaries beside it in /ko-app. byName holds the names already taken.
func inspectImages(ctx context.Context, opts Options, bases *bases, byName map[string]string) ([]*target, error) {
	var out []*target
	for _, spec := range opts.Images {
		if err := checkImageSpec(spec); err != nil {
			return nil, err
		}
		if prev, ok := byName[spec.Name]; ok {
			return nil, fmt.Errorf("image %q: the name is also that of %s: rename one", spec.Name, prev)
		}
		byName[spec.Name] = "images entry " + spec.Name
		var members []*target
		binaries := map[string]string{}
		for _, p := range spec.Packages {
			m, err := newTarget(ctx, opts, bases, p)
			if err != nil {
				return nil, fmt.Errorf("image %q: %w", spec.Name, err)
			}
			if prev, ok := binaries[m.bin]; ok {
				return nil, fmt.Errorf("image %q: %s and %s would both be /ko-app/%s: put them in separate images", spec.Name, prev, m.pkg.ImportPath, m.bin)
			}
			binaries[m.bin] = m.pkg.ImportPath
			members = append(members, m)
		}
		entry := 0
		if spec.Entrypoint != "" {
			entry = slices.IndexFunc(members, func(m *target) bool { return m.bin == spec.Entrypoint })
			if entry < 0 {
				return nil, fmt.Errorf("image %q: entrypoint %q is none of its commands (%v): name one by its last path element", spec.Name, spec.Entrypoint, slices.Sorted(maps.Keys(binaries)))
			}
		}
		primary := members[entry]
		primary.image = spec.Name
		for i, m := range members {
			if i != entry {
				// The image's base and platforms are the entrypoint's.
				m.base, m.platforms = primary.base, primary.platforms
				primary.extra = append(primary.extra, m)
			}
		}
		out = append(out, primary)
	}
	return out, nil
}

func checkImageSpec(spec config.ImageSpec) error {
	switch {
	case spec.Name == "":
		return fmt.Errorf("an images entry has no name: give each image a name")
	case len(spec.Packages) == 0:
		return fmt.Errorf("image %q lists no packages: add them under packages", spec.Name)
	}
	return nil
}

// disambiguate renames the images of packages that share a last path
// element (cmd/tuf/createsecret, cmd/rekor/createsecret) the way ko names
// every image by default, <name>-<md5 of the import path>, so that a config
// ko builds in one run builds in one run here too.
func disambiguate(opts Options, targets []*target) {
	byName := map[string][]*target{}
	for _, t := range targets {
		byName[t.name] = append(byName[t.name], t)
	}
	for n, ts := range byName {
		if len(ts) < 2 {
			continue
		}
		var renamed []string
		for _, t := range ts {
			t.name = fmt.Sprintf("%s-%x", n, md5.Sum([]byte(t.pkg.ImportPath)))
			renamed = append(renamed, t.pkg.ImportPath+" → "+t.name)
		}
		opts.Logger.Info("several packages are named "+n+": their images get ko's default names", "images", strings.Join(renamed, ", "))
	}
}

// kodataLayer writes the static assets of the image's packages, when they
// have kodata/: one layer, and two packages placing different files at the
// same path are refused by name.
func kodataLayer(ctx context.Context, opts Options, t *target, dir string) ([]assemble.Layer, []string, error) {
	var entries []layers.Entry
	owner := map[string]string{}
	for _, m := range t.members() {
		kodata := filepath.Join(m.pkg.Dir, "kodata")
		if fi, err := os.Stat(kodata); err != nil || !fi.IsDir() {
			continue
		}
		es, err := layers.Kodata(kodata, moduleRoot(m.pkg))
		if err != nil {
			return nil, nil, err
		}
		for _, e := range es {
			prev, seen := owner[e.Path]
			switch {
			case seen && e.Type == tar.TypeDir:
				continue
			case seen:
				return nil, nil, fmt.Errorf("image %s: kodata file %s comes from both %s and %s: rename one", t.imageName(), e.Path, prev, m.pkg.ImportPath)
			}
			owner[e.Path] = m.pkg.ImportPath
			entries = append(entries, e)
		}
	}
	if len(entries) == 0 {
		return nil, nil, nil
	}
	l, err := layers.New(ctx, entries, layers.Options{Time: opts.Created, Compression: opts.Compression, Dir: dir})
	if err != nil {
		return nil, nil, fmt.Errorf("writing kodata layer: %w", err)
	}
	layer := assemble.Layer{Layer: l, History: "hoist: static assets (kodata → " + layers.KodataPath + ")"}
	return []assemble.Layer{layer}, []string{"KO_DATA_PATH=" + layers.KodataPath}, nil
}
