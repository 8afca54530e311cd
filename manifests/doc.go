// Package manifests writes the Kubernetes objects that run a service built
// by hoist: a Deployment and a Service whose settings match what the image
// and the sample app promise (port 80 named http, /healthz and /readyz, a
// drain on SIGTERM shorter than the termination grace period, uid 65532 with
// only NET_BIND_SERVICE) and that pass the restricted Pod Security Standard.
// The container image is left as ko://IMPORTPATH for `hoist resolve` to
// replace with the digest it builds, so the generated file can be committed
// and reviewed without naming a registry.
package manifests
