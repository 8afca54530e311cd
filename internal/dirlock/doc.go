// Package dirlock serialises processes over a directory with an flock on
// the directory itself: an OCI layout being updated, a cache output that go
// build rewrites. The kernel drops the lock when its holder dies, so a
// killed run never leaves a stale lock behind.
package dirlock
