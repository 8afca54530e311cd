// Package workdir makes the temporary directory a hoist run builds in, and
// removes those that killed runs left behind: each directory holds a lock
// file its run keeps locked, so a directory whose lock is free belongs to
// no live run.
package workdir
