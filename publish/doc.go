// Package publish writes assembled images to their destination: a registry
// (with credentials from the docker config and its credential helpers), an
// OCI image layout directory, or a tarball that `docker load` accepts. Each
// destination writes every blob before the manifest that names it and makes
// a tag or file visible only once the image is complete, so a failed or
// interrupted publish never leaves a reference to a partial image.
package publish
