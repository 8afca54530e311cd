// Package cache keeps build results on disk between runs, keyed by a hash of
// everything that can change them, so an unchanged package is neither
// compiled nor compressed again. Entries are written to a temporary directory
// and renamed into place (safe under concurrent runs), checked against their
// recorded digest when read (a corrupt entry is dropped and rebuilt, never
// published), and evicted least-recently-used beyond a size bound.
package cache
