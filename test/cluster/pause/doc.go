// Command pause is the test cluster's sandbox image: it holds a pod's
// namespaces open and exits 0 on SIGTERM or SIGINT, as the upstream pause
// container does, so the node needs no image from the internet. hoist
// builds it into a static image like any other service.
package main
