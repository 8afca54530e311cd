package attest

import (
	"debug/buildinfo"
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"

	"github.com/hoist-build/hoist/provenance"
	"github.com/hoist-build/hoist/sbom"
)

// Kind says what a document is.
type Kind string

const (
	KindSBOM       Kind = "sbom"
	KindProvenance Kind = "provenance"
)

// Document is one SBOM or provenance statement about one manifest.
type Document struct {
	Kind      Kind
	MediaType string
	// Subject is the manifest the document is about and is attached to.
	Subject v1.Descriptor
	// Platform is the subject's platform when it is one of an index's
	// images; nil for a lone image or the index itself.
	Platform *v1.Platform
	// FileName is the document's name in --sbom-dir and its layer title.
	FileName string
	Data     []byte
}

// manifest is one manifest of the published artifact.
type manifest struct {
	desc     v1.Descriptor
	platform *v1.Platform // set for an index's images
	key      string       // platform string, "" for an index
	binary   string       // path, "" for an index
	info     *debug.BuildInfo
}

// manifests lists the artifact's manifests, images first, each with its
// binary's build info; an index comes last.
func manifests(opts Options) ([]manifest, error) {
	switch a := opts.Artifact.(type) {
	case v1.Image:
		m, err := lone(a, opts.Binaries)
		if err != nil {
			return nil, err
		}
		return []manifest{m}, nil
	case v1.ImageIndex:
		return indexManifests(a, opts.Binaries)
	}
	return nil, fmt.Errorf("attesting: %T is neither an image nor an index", opts.Artifact)
}

func lone(img v1.Image, binaries map[string]string) (manifest, error) {
	desc, err := describe(img)
	if err != nil {
		return manifest{}, err
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return manifest{}, fmt.Errorf("reading image config: %w", err)
	}
	key := (&v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}).String()
	bin := binaries[key]
	if len(binaries) == 1 {
		for _, b := range binaries {
			bin = b
		}
	}
	m := manifest{desc: desc, key: key, binary: bin}
	return m, m.readBuildInfo()
}

func indexManifests(idx v1.ImageIndex, binaries map[string]string) ([]manifest, error) {
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	var out []manifest
	for _, d := range im.Manifests {
		if !d.MediaType.IsImage() || d.Platform == nil {
			continue
		}
		p := *d.Platform
		m := manifest{desc: v1.Descriptor{MediaType: d.MediaType, Size: d.Size, Digest: d.Digest},
			platform: &p, key: p.String(), binary: binaries[p.String()]}
		if err := m.readBuildInfo(); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	desc, err := describe(idx)
	if err != nil {
		return nil, err
	}
	return append(out, manifest{desc: desc}), nil
}

func (m *manifest) readBuildInfo() error {
	if m.binary == "" {
		return fmt.Errorf("attesting %s: no binary given for platform %s", m.desc.Digest, m.key)
	}
	bi, err := buildinfo.ReadFile(m.binary)
	if err != nil {
		return fmt.Errorf("reading build info of %s: %w", m.binary, err)
	}
	m.info = bi
	return nil
}

// describe is the subject descriptor of an image or index: media type,
// size and digest only, as the referrers model wants.
func describe(a partial.Describable) (v1.Descriptor, error) {
	var d v1.Descriptor
	var err error
	if d.MediaType, err = a.MediaType(); err != nil {
		return d, fmt.Errorf("describing the published artifact: %w", err)
	}
	if d.Digest, err = a.Digest(); err != nil {
		return d, fmt.Errorf("describing the published artifact: %w", err)
	}
	if d.Size, err = a.Size(); err != nil {
		return d, fmt.Errorf("describing the published artifact: %w", err)
	}
	return d, nil
}

// documents writes every SBOM and provenance document for the artifact.
func documents(opts Options, ms []manifest) ([]Document, error) {
	base := imageBaseName(opts.Name)
	var docs []Document
	if opts.SBOM != sbom.FormatNone && opts.SBOM != "" {
		for _, m := range ms {
			if m.info == nil {
				continue // the index: SBOMs describe the images that run
			}
			d, err := sbomDocument(opts, m, base)
			if err != nil {
				return nil, err
			}
			docs = append(docs, d)
		}
	}
	if opts.NoProvenance {
		return docs, nil
	}
	data, err := provenanceData(opts, ms)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		docs = append(docs, Document{Kind: KindProvenance, MediaType: provenance.MediaType, Subject: m.desc,
			Platform: m.platform, FileName: base + ".intoto.json", Data: data})
	}
	return docs, nil
}

func sbomDocument(opts Options, m manifest, base string) (Document, error) {
	var comps []sbom.Component
	if opts.Base != nil {
		comps = opts.Base(m.info.GoVersion)
	}
	data, err := sbom.Generate(opts.SBOM, sbom.Input{
		Name: opts.Name, Digest: m.desc.Digest.String(), BuildInfo: m.info, Base: comps,
		Created: opts.Created, ToolVersion: opts.Version,
	})
	if err != nil {
		return Document{}, err
	}
	ext := ".spdx.json"
	if opts.SBOM == sbom.FormatCycloneDX {
		ext = ".cdx.json"
	}
	name := base
	if m.platform != nil {
		name += "-" + strings.ReplaceAll(m.key, "/", "-")
	}
	return Document{Kind: KindSBOM, MediaType: opts.SBOM.MediaType(), Subject: m.desc,
		Platform: m.platform, FileName: name + ext, Data: data}, nil
}

// provenanceData is one statement for the whole build, its subjects every
// manifest published, so the same bytes are attached to each of them.
func provenanceData(opts Options, ms []manifest) ([]byte, error) {
	in := provenance.Input{
		Source: opts.Build.Source, Commit: opts.Build.Commit, Args: opts.Build.Args,
		Materials: opts.Build.Materials, HoistVersion: opts.Version,
		StartedOn: opts.Build.StartedOn, FinishedOn: opts.Build.FinishedOn,
		BuildInfo: map[string]*debug.BuildInfo{},
	}
	for _, m := range ms {
		in.Subjects = append(in.Subjects, provenance.Subject{Name: opts.Name, Digest: m.desc.Digest.String()})
		if m.info != nil {
			in.BuildInfo[m.key] = m.info
			if in.Commit == "" {
				in.Commit = setting(m.info, "vcs.revision")
			}
		}
	}
	return provenance.Generate(in)
}

func setting(bi *debug.BuildInfo, key string) string {
	for _, s := range bi.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

// imageBaseName is the file-name stem for an image: its last path element.
func imageBaseName(name string) string {
	if i := strings.LastIndex(name, "/"); i >= 0 {
		name = name[i+1:]
	}
	if name == "" {
		return "image"
	}
	return name
}
