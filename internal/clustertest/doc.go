// Package clustertest runs a real Kubernetes cluster on loopback for tests
// and for `go tool task cluster:up`: etcd and kube-apiserver on free ports,
// with a self-signed serving certificate and a static system:masters token
// (Start, or Run in a test), and optionally a single node (StartNode):
// controller-manager, scheduler, containerd with its CRI plugin and a
// kubelet, with the hoist-cni plugin for pod addresses and a probe bridge
// that carries the kubelet's httpGet probes into the pods' namespaces.
// Against a real apiserver, server-side apply, validation and rollouts
// behave as in production, which no fake client reproduces. The binaries
// are the caller's to find (see test/cluster/build.sh). Everything runs
// until the Stack is closed; processes get SIGTERM, then SIGKILL, since
// kube-apiserver may ignore SIGTERM; pods are deleted first so the kubelet
// stops their containers, and what a crashed run leaves is swept.
package clustertest
