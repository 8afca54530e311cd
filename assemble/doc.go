// Package assemble turns layers into images: it stacks the application
// layers on a base (the synthesized distroless base, scratch, or a pulled
// image), writes the image config a single-process service needs (entrypoint,
// non-root user, exposed ports, labels, platform, one history entry per
// layer), and joins per-platform images into an index. It does no I/O beyond
// what the layers it is given do, so every published image is assembled the
// same way whatever the destination.
package assemble
