package sign

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"

	"github.com/hoist-build/hoist/provenance"
	"github.com/hoist-build/hoist/sbom"
)

// DocumentStatement is the statement to attest for one of hoist's
// documents about subject: an SBOM (SPDX or CycloneDX JSON, by media type)
// wrapped as `cosign attest --type spdxjson` or `--type cyclonedx` would
// wrap it; an in-toto statement (the provenance) as it is.
func DocumentStatement(mediaType string, data []byte, subject Subject) ([]byte, error) {
	switch mediaType {
	case sbom.SPDXMediaType, "application/spdx+json":
		return Statement(PredicateSPDX, data, subject)
	case sbom.CycloneDXMediaType:
		return Statement(PredicateCycloneDX, data, subject)
	case provenance.MediaType:
		return data, nil
	}
	return nil, fmt.Errorf("no attestation for documents of type %q", mediaType)
}

// StatementsFromDir reads the documents `hoist build --sbom-dir DIR` wrote
// (*.spdx.json, *.cdx.json, *.intoto.json) and returns the statements to
// attest for each digest they are about, naming the subjects repo. Other
// files are ignored.
func StatementsFromDir(dir string, repo name.Repository) (map[v1.Hash][][]byte, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the documents directory: %w", err)
	}
	out := map[v1.Hash][][]byte{}
	for _, e := range entries {
		mediaType := documentType(e.Name())
		if mediaType == "" || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		data, err := readBounded(path)
		if err != nil {
			return nil, err
		}
		digests, err := documentSubjects(mediaType, data)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", path, err)
		}
		for _, d := range digests {
			st, err := DocumentStatement(mediaType, data, Subject{Name: repo.Name(), Digest: d})
			if err != nil {
				return nil, fmt.Errorf("reading %s: %w", path, err)
			}
			out[d] = append(out[d], st)
		}
	}
	return out, nil
}

func documentType(file string) string {
	switch {
	case strings.HasSuffix(file, ".spdx.json"):
		return sbom.SPDXMediaType
	case strings.HasSuffix(file, ".cdx.json"):
		return sbom.CycloneDXMediaType
	case strings.HasSuffix(file, ".intoto.json"):
		return provenance.MediaType
	}
	return ""
}

// documentSubjects are the digests a document is about: the image an SBOM
// describes, a statement's subjects.
func documentSubjects(mediaType string, data []byte) ([]v1.Hash, error) {
	var digests []string
	if mediaType == provenance.MediaType {
		st, err := provenance.Parse(data)
		if err != nil {
			return nil, err
		}
		for _, s := range st.Subjects {
			if s.Digest != "" {
				digests = append(digests, s.Digest)
			}
		}
	} else {
		info, err := sbom.Inspect(mediaType, data)
		if err != nil {
			return nil, err
		}
		if info.Digest == "" {
			return nil, fmt.Errorf("the SBOM names no image digest")
		}
		digests = append(digests, info.Digest)
	}
	sort.Strings(digests)
	out := make([]v1.Hash, 0, len(digests))
	for _, d := range digests {
		h, err := v1.NewHash(d)
		if err != nil {
			return nil, fmt.Errorf("invalid digest %q: %w", d, err)
		}
		out = append(out, h)
	}
	return out, nil
}

func readBounded(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading document: %w", err)
	}
	if fi.Size() > maxPayload {
		return nil, fmt.Errorf("%s: %d bytes exceeds the %d-byte limit", path, fi.Size(), maxPayload)
	}
	return os.ReadFile(path)
}
