package attest

import (
	"fmt"
	"time"
)

// Documents returns the SBOMs and provenance that Publish writes for opts,
// without writing or attaching anything: what a signer attests. They are
// the same bytes, since the documents depend on opts alone.
func Documents(opts Options) ([]Document, error) {
	if opts.Name == "" {
		opts.Name = opts.Repository
	}
	if opts.Name == "" {
		return nil, fmt.Errorf("attesting: no image name or repository")
	}
	if opts.Created.IsZero() {
		opts.Created = time.Unix(0, 0).UTC()
	}
	ms, err := manifests(opts)
	if err != nil {
		return nil, err
	}
	return documents(opts, ms)
}
