// Package registry is hoist's registry client, built on
// go-containerregistry: Options holds the connection settings (credentials
// from the docker config and its helpers, CA certificates, timeouts,
// retries) and turns them into the remote.Options and http.RoundTripper
// stack every request of hoist goes through — the transport policy (which
// registries may be reached over plain http, when credentials may be sent),
// 429/503 replays honouring Retry-After, the stall timeout and minimum
// rate, and the size caps and digest fallback that keep a hostile registry
// from holding hoist's memory or time. It also pulls base images, lists
// the manifests of a pushed image for attest and sign to check, checks a
// login, and words registry failures in one line. A zero Timeout or
// Retries means none, as 0 does on the command line; DefaultTimeout and
// DefaultRetries are the flags' defaults.
package registry
