// Package publish writes assembled images to their destination: a registry
// (through the client of package registry; a tag already at the digest is
// not pushed again, and blobs known to be in another repository are
// mounted), an OCI image layout directory, a tarball that `docker load`
// accepts, or several at once. Each destination writes every blob before
// the manifest that names it and makes a tag or file visible only once the
// image is complete, so a failed or interrupted publish never leaves a
// reference to a partial image.
package publish
