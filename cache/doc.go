// Package cache keeps build results on disk between runs in three stores:
// verified entries (a binary layer keyed by the binary's digest, the base
// layers), stable build outputs that the go command updates in place and
// skips relinking when up to date, and small records (the snapshots that
// let an unchanged rebuild skip the toolchain). Entries are written to a
// temporary directory and renamed into place (safe under concurrent runs),
// checked against their recorded digest when read (a corrupt entry is
// dropped and rebuilt, never published); entries and outputs are evicted
// least-recently-used beyond a size bound, records never.
package cache
