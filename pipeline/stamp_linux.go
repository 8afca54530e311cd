//go:build linux

package pipeline

import (
	"io/fs"
	"syscall"
)

type stamp struct {
	Size, Mtime, Ctime int64
	Ino                uint64
	Dir, Missing       bool
}

// ctimeKnown: ctime and inode catch edits that keep size and mtime.
const ctimeKnown = true

// fillSys adds ctime and inode: unlike mtime, ctime cannot be set back by a
// tool that preserves times, and a replaced file gets a new inode.
func fillSys(st *stamp, fi fs.FileInfo) {
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.Ctime = int64(sys.Ctim.Sec)*1e9 + int64(sys.Ctim.Nsec)
		st.Ino = uint64(sys.Ino)
	}
}
