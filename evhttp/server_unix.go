package evhttp

import (
	"errors"
	"io/fs"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// closeFD closes an accepted connection the Server will not serve.
func closeFD(fd int) { unix.Close(fd) }

// refuseFD answers a connection beyond MaxConnections with 503 and closes
// it; the write is best effort (the socket is new, so it has room).
func refuseFD(fd int) {
	const msg = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 20\r\nConnection: close\r\n\r\ntoo many connections"
	unix.Write(fd, []byte(msg))
	unix.Shutdown(fd, unix.SHUT_WR)
	unix.Close(fd)
}

// shutdownWrite ends the sending side of a connection (lingering close).
func shutdownWrite(fd int) error { return unix.Shutdown(fd, unix.SHUT_WR) }

// listenUnix listens on a unix socket at path, replacing a stale socket
// file (but no other kind of file). The listener does not remove the file
// when closed: BoundSocket.Close does.
func listenUnix(path string) (*net.UnixListener, error) {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSocket == 0 {
			return nil, &fs.PathError{Op: "listen", Path: path, Err: errors.New("exists and is not a socket")}
		}
		os.Remove(path)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, err
	}
	ln.SetUnlinkOnClose(false)
	return ln, nil
}

// removeSocketFile removes the socket file of a closed unix listener.
func removeSocketFile(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSocket != 0 {
		os.Remove(path)
	}
}
