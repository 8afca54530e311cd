// Command hoist builds Go main packages into minimal, distroless, non-root
// OCI images and publishes them to a registry, an OCI layout or a tarball,
// with no Docker daemon and no Dockerfile. This package only wires the
// command line and configuration (cobra flags, HOIST_* environment,
// .hoist.yaml and .ko.yaml through viper) into the library packages' option
// structs; all behaviour lives in those packages.
package main
