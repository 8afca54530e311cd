// Package cosigntest runs the real cosign, installed from the Go module
// proxy at a pinned version into a cache kept between runs, so that tests of
// hoist's signatures check them against the tool clusters and CI use, not
// against hoist's own reading of the format. Runs are offline: cosign is
// given no transparency log and a trusted root that trusts no Sigstore
// service, and a run that still reaches for the internet fails the test.
// Tools run with a HOME, docker config and passwords of the test's own.
package cosigntest
