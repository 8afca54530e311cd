// Package dockercfg saves registry credentials the way `docker login` and
// `crane auth login` do, so that every tool reading the docker config.json
// (hoist through ggcr's keychain, docker, crane, ko) finds them: through
// the credential helper the file names for the registry, or else as base64
// "user:password" under "auths". It edits only that entry, keeps every other
// key of the file, and replaces the file atomically with mode 0600.
package dockercfg
