// Package registry holds hoist's registry client policy: which registries
// may be reached over plain http, when credentials may be sent, and the
// bounds (size caps, digest fallback) that keep a hostile registry from
// holding hoist's memory or time. It builds http.RoundTrippers that go
// under go-containerregistry's remote package, so every request any part of
// hoist makes to a registry passes the same checks.
package registry
