//go:build unix && !linux && !freebsd && !darwin

package sendfile

// Systems without a usable sendfile(2) in golang.org/x/sys (OpenBSD,
// NetBSD, DragonFly, Solaris, AIX) read and write.
func send(dst int, f *File, off, n int64) (int64, error) {
	return sendPread(dst, f, off, n)
}
