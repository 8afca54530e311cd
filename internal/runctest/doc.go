// Package runctest runs built images in a real OCI runtime so end-to-end tests
// can observe what a cluster would: an image that looks right on paper can
// still fail at run time because of a missing file capability, a wrong user,
// or a bad entrypoint, and only executing it under the same constraints
// containerd applies to a non-root container (default bounding set, no
// ambient or inheritable capabilities, its own network namespace) proves that
// it serves traffic. It unpacks a go-containerregistry image into a runc
// bundle, derives the process spec from the image config, starts the
// container with runc, and talks HTTP to it from inside its network namespace
// so no port publishing or host networking is involved. It needs root and a
// runc binary; callers decide whether to skip when those are missing.
package runctest
