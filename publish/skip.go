package publish

import (
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// tagIsCurrent reports whether the tag already points at digest. One HEAD
// request then replaces the whole push: a rebuild that changed nothing
// uploads nothing and checks no blob.
func tagIsCurrent(tag name.Tag, digest v1.Hash, opts []remote.Option) bool {
	desc, err := remote.Head(tag, opts...)
	return err == nil && desc.Digest == digest
}
