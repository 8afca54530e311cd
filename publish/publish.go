package publish

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Artifact is what a publisher writes: a v1.Image or a v1.ImageIndex.
type Artifact = remote.Taggable

// Publisher writes an artifact under an image name and returns its digest
// reference, the one line users script against.
type Publisher interface {
	Publish(ctx context.Context, imageName string, art Artifact) (string, error)
}

// DefaultTag is used when no tag is given.
const DefaultTag = "latest"

// ImageName derives the image name from a Go import path: its last element,
// as ko's --base-import-paths does, lowercased because registries refuse
// upper case.
func ImageName(importPath string) string {
	return strings.ToLower(importPath[strings.LastIndex(importPath, "/")+1:])
}

// tagPattern is the OCI distribution spec's tag grammar.
var tagPattern = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$`)

// ValidateTags checks tags before anything is built, so a typo fails fast.
func ValidateTags(tags []string) error {
	for _, t := range tags {
		if !tagPattern.MatchString(t) {
			return fmt.Errorf("invalid tag %q: use letters, digits, '_', '.', '-' (at most 128, not starting with '.' or '-')", t)
		}
	}
	return nil
}

func digestOf(art Artifact) (v1.Hash, error) {
	switch a := art.(type) {
	case v1.Image:
		return a.Digest()
	case v1.ImageIndex:
		return a.Digest()
	}
	return v1.Hash{}, fmt.Errorf("publishing: %T is neither an image nor an index", art)
}

func tagsOrDefault(tags []string) []string {
	if len(tags) == 0 {
		return []string{DefaultTag}
	}
	return tags
}
