// Package containerd publishes images straight into a containerd's image
// store, the one a kubelet on that containerd runs pods from, so a local
// cluster needs no registry: every blob goes through containerd's content
// service (skipping those it has), the image records through its images
// service, all under a lease so containerd's garbage collector cannot take
// a blob before the record that holds it exists. Only the content, images
// and leases services are used, which containerd has had since 1.x (the
// transfer service of 2.x is not needed). The image is named by its digest
// as well as by its tags, so a digest reference with imagePullPolicy
// IfNotPresent (Kubernetes' default for digests) resolves locally. Kind
// clusters, whose containerd runs inside node containers, are loaded through
// the kind CLI instead (Kind).
package containerd
