// Package layers writes the image's filesystem layers as deterministic tar
// streams: the distroless base files (users, CA bundle, tzdata), the static
// assets from kodata, and the application binary with its file capability.
// Reproducibility is the point: entries are sorted, owners are numeric, times
// are fixed, and compression is done once while both digests are computed, so
// the same inputs give the same layer digest on any machine without the layer
// ever being read back or compressed twice. A layer is a Blob, which knows its
// descriptor and file; GetCached and PutCached keep blobs in a cache.Cache so
// that the next run reuses them without compressing again.
package layers
