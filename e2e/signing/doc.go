// Package signing holds the end-to-end tests of hoist's signatures against
// the real cosign, both ways: cosign verifies what hoist build --sign-key
// signed, and hoist verify --key accepts what cosign sign and cosign attest
// made, on a registry without the referrers API (Distribution) and on one
// with it. They have a package of their own so that their cosign runs do not
// share the e2e package's test timeout.
package signing
