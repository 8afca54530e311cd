// Package cluster tests `hoist apply` and `hoist delete` against a real
// Kubernetes API server: etcd and a kube-apiserver built from the Go module
// proxy by test/cluster/build.sh, started per test on loopback, with the
// sample app's images pushed to an in-process Distribution registry. The
// server's own validation and server-side apply are what the tests rely on,
// so a rejection names the field the server objected to, and an unchanged
// resourceVersion proves a re-apply was a no-op. The node-level test
// (build tag "cluster", `go tool task e2e:cluster`) adds a scheduler,
// controller-manager, kubelet and containerd and runs the pods.
package cluster
