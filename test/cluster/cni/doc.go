// Command hoist-cni is the pod network of the test cluster: a CNI plugin
// that gives each pod's network namespace an ifb interface (the one virtual
// link type this machine's kernel offers; no veth, bridge or dummy) named
// as the runtime asks, with a 127.1.x.y/32 address, and brings up its
// loopback. Pods can talk to themselves, port-forward reaches them through
// their loopback, and nothing leaves the machine. Addresses are leased as
// files named by the address in the configured dataDir, each holding the
// container ID and netns path, so the probe bridge (internal/clustertest)
// can find the namespace behind an address.
package main
