package publish

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Options are the ggcr options for talking to registry (host[:port]) with
// these settings, so that packages which reach the registry after publishing
// (attest) use the same credentials, transport, TLS choice, timeouts and
// retries as the push itself.
func (o RemoteOptions) Options(ctx context.Context, registry string) ([]remote.Option, error) {
	return o.remoteOptions(ctx, registry)
}

// NameOptions are the options for parsing the reference, repository or
// registry s under these settings: name.Insecure when the transport policy
// allows its registry plain http.
func (o RemoteOptions) NameOptions(s string) []name.Option {
	return o.nameOptions(s)
}
