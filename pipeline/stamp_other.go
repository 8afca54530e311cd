//go:build !linux

package pipeline

import "io/fs"

type stamp struct {
	Size, Mtime  int64
	Ctime        int64 // unknown here: always 0
	Dir, Missing bool
}

// ctimeKnown: without ctime, an edit that keeps the size and restores the
// mtime goes unseen, so no snapshot is ever trusted on this system.
const ctimeKnown = false

func fillSys(*stamp, fs.FileInfo) {}
