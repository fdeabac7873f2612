package main

import (
	"fmt"
	"net"
	"os"
	"strconv"

	"github.com/goevent/goevent/evhttp"
)

// listenFDsStart is the first fd systemd passes (SD_LISTEN_FDS_START).
const listenFDsStart = 3

// activatedListeners serves the sockets systemd passes (LISTEN_PID naming
// this process, LISTEN_FDS counting fds from 3) on srv, and unsets the
// variables so that children do not take them. It returns nil when the
// process was not socket-activated.
func activatedListeners(srv *evhttp.Server) ([]*evhttp.BoundSocket, error) {
	pid, err := strconv.Atoi(os.Getenv("LISTEN_PID"))
	if err != nil || pid != os.Getpid() {
		return nil, nil
	}
	fds := os.Getenv("LISTEN_FDS")
	n, err := strconv.Atoi(fds)
	os.Unsetenv("LISTEN_PID")
	os.Unsetenv("LISTEN_FDS")
	os.Unsetenv("LISTEN_FDNAMES")
	if err != nil || n < 1 {
		return nil, fmt.Errorf("socket activation: bad LISTEN_FDS %q", fds)
	}
	var bound []*evhttp.BoundSocket
	for fd := listenFDsStart; fd < listenFDsStart+n; fd++ {
		f := os.NewFile(uintptr(fd), "LISTEN_FD_"+strconv.Itoa(fd))
		ln, err := net.FileListener(f)
		f.Close()
		if err != nil {
			return bound, fmt.Errorf("socket activation: fd %d: %w", fd, err)
		}
		bs, err := srv.Accept(ln) // Accept serves a duplicate of the fd
		ln.Close()
		if err != nil {
			return bound, fmt.Errorf("socket activation: fd %d: %w", fd, err)
		}
		bound = append(bound, bs)
	}
	return bound, nil
}
