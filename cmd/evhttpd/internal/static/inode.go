package static

import (
	"io/fs"
	"syscall"
)

// inode returns the inode number of a file from its FileInfo, 0 when the
// system does not say.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
