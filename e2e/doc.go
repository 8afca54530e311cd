// Package e2e holds the end-to-end tests: the hoist command builds the sample
// app, pushes it to a real Distribution registry, and the pulled image runs
// under runc with the capabilities containerd gives a non-root container.
// Only running the image shows that it is real: that uid 65532 can bind port
// 80 through the file capability and that the process drains on SIGTERM.
package e2e
