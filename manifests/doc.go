// Package manifests writes the Kubernetes objects that run a service built
// by hoist: a Deployment and a Service for the port the image exposes, with
// HTTP probes only where the service has a health path, a rolling update
// that never drops below the wanted replicas, and uid 65532 with only
// NET_BIND_SERVICE (which the binary's file capability needs), so the pods
// pass the restricted Pod Security Standard. The container image is left
// as ko://IMPORTPATH for `hoist resolve` to replace with the digest it
// builds, so the generated file can be committed and reviewed without
// naming a registry.
package manifests
