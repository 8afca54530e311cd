// Command up runs the single-node test cluster that e2e/cluster tests
// against, for a developer to try `hoist apply` on: etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, containerd and a kubelet on
// loopback, an in-memory registry the node pulls from, and the pause image
// built by hoist. It prints the KUBECONFIG and registry to use and runs
// until interrupted, then deletes the pods and stops everything. Run it as
// root through `go tool task cluster:up`, which builds what it needs.
package main
