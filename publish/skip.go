package publish

import (
	"errors"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// tagIsCurrent reports whether the tag already points at digest. One HEAD
// request then replaces the whole push: a rebuild that changed nothing
// uploads nothing and checks no blob. Only "not found" means "push": any
// other failure (refused credentials, a dead registry) is returned at once
// rather than retried again by the push.
func tagIsCurrent(tag name.Tag, digest v1.Hash, opts []remote.Option) (bool, error) {
	desc, err := remote.Head(tag, opts...)
	var terr *transport.Error
	switch {
	case err == nil:
		return desc.Digest == digest, nil
	case errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound:
		return false, nil
	}
	return false, err
}
