package bufferevent

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/goevent/goevent/core"
	"github.com/goevent/goevent/internal/netutil"
	"golang.org/x/sys/unix"
)

// connectErr is the error of a failed connect: an *os.SyscallError-like
// wrapper of the errno ("connect: connection refused").
type connectErr struct{ errno unix.Errno }

func (e *connectErr) Error() string { return "connect: " + e.errno.Error() }
func (e *connectErr) Unwrap() error { return e.errno }

// Connect starts a non-blocking TCP connect to addr (libevent's
// bufferevent_socket_connect). Without a socket (NewSocket with fd -1)
// it makes one of addr's family, which Free closes. The result comes as an
// event from the loop, never from inside Connect: Connected on success,
// Error with the errno wrapped (errors.Is(err, unix.ECONNREFUSED)) on
// failure, even when the kernel refused at once, or Timeout|Writing when
// the write timeout passed first. Reading waits until the connection is
// up. Connect itself fails only for misuse (not a socket bufferevent,
// freed, connecting already, invalid addr) or when no socket can be made.
// Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) Connect(addr netip.AddrPort) error {
	if !addr.IsValid() {
		return ErrInvalid
	}
	a := addr.Addr()
	if a.Is4() || a.Is4In6() && bev.FD() < 0 {
		return bev.connectSA(unix.AF_INET, &unix.SockaddrInet4{Port: int(addr.Port()), Addr: a.Unmap().As4()})
	}
	sa := &unix.SockaddrInet6{Port: int(addr.Port()), Addr: a.As16()}
	if z := a.Zone(); z != "" {
		if id, err := zoneID(z); err == nil {
			sa.ZoneId = id
		}
	}
	return bev.connectSA(unix.AF_INET6, sa)
}

// ConnectUnix starts a connect to the unix stream socket at path (a
// leading '@' names an abstract socket on Linux), reporting the result as
// Connect does. Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) ConnectUnix(path string) error {
	if path == "" {
		return ErrInvalid
	}
	return bev.connectSA(unix.AF_UNIX, &unix.SockaddrUnix{Name: path})
}

func (bev *BufferEvent) socket() (*socketBev, error) {
	if bev.freed {
		return nil, ErrFreed
	}
	s, ok := bev.ops.(*socketBev)
	if !ok {
		return nil, ErrNotSocket
	}
	return s, nil
}

func (bev *BufferEvent) connectSA(family int, sa unix.Sockaddr) error {
	s, err := bev.socket()
	if err != nil {
		return err
	}
	if s.is(sockConnecting) {
		return ErrConnecting
	}
	if s.fd() < 0 {
		fd, err := netutil.Socket(family, unix.SOCK_STREAM, 0)
		if err != nil {
			return fmt.Errorf("bufferevent: connect: %w", err)
		}
		s.setFD(fd)
		s.set(sockOwnFD, true)
	}
	err = unix.Connect(s.fd(), sa)
	s.set(sockConnecting, true)
	bev.suspendRead(suspendConnecting)
	switch err {
	case nil, unix.EINPROGRESS, unix.EINTR, unix.EAGAIN:
		if err == nil {
			// Connected at once (unix sockets may): still report from the
			// loop.
			s.writeEvent().Active(core.Write)
		}
		s.updateWrite()
	default:
		s.bev.extra().conn.connErr = &connectErr{err.(unix.Errno)}
		s.updateWrite()
		s.writeEvent().Active(core.Write)
	}
	return nil
}

// ConnectHostname resolves host with resolver (nil: a NetResolver) and
// connects to the first address of family (unix.AF_INET, unix.AF_INET6,
// or unix.AF_UNSPEC for either) on port, like libevent's
// bufferevent_socket_connect_hostname. A failed lookup gives an Error
// event whose error wraps ErrResolve and the resolver's error; the
// connect is then reported as for Connect. Free cancels a lookup in
// progress. Loop goroutine only (other goroutines: Base.Post).
func (bev *BufferEvent) ConnectHostname(resolver Resolver, family int, host string, port int) error {
	s, err := bev.socket()
	if err != nil {
		return err
	}
	if port < 0 || port > 65535 || host == "" {
		return ErrInvalid
	}
	switch family {
	case unix.AF_INET, unix.AF_INET6, unix.AF_UNSPEC:
	default:
		return ErrInvalid
	}
	if c := s.connState(); s.is(sockConnecting) || c != nil && c.lookupStop != nil {
		return ErrConnecting
	}
	if resolver == nil {
		resolver = NetResolver{}
	}
	bev.suspendRead(suspendLookup)
	bev.suspendWrite(suspendLookup)
	c := &bev.extra().conn
	c.lookupAlive = true
	cancel := resolver.LookupHost(bev.base, host, family, func(addrs []netip.Addr, err error) {
		if !c.lookupAlive || bev.freed {
			return
		}
		c.lookupAlive = false
		c.lookupStop = nil
		bev.unsuspendRead(suspendLookup)
		bev.unsuspendWrite(suspendLookup)
		bev.incref()
		defer bev.decref()
		if err == nil {
			err = ErrNoAddress
			for _, a := range addrs {
				if family == unix.AF_UNSPEC || (family == unix.AF_INET) == a.Unmap().Is4() {
					err = bev.Connect(netip.AddrPortFrom(a.Unmap(), uint16(port)))
					if err != nil {
						err = fmt.Errorf("bufferevent: connect %v: %w", a, err)
						bev.runEventCB(Error, err, false)
					}
					return
				}
			}
		}
		bev.runEventCB(Error, fmt.Errorf("%w: %q: %w", ErrResolve, host, err), false)
	})
	if c.lookupAlive {
		c.lookupStop = func() {
			c.lookupAlive = false
			if cancel != nil {
				cancel()
			}
		}
	}
	return nil
}

func zoneID(z string) (uint32, error) {
	ifi, err := net.InterfaceByName(z)
	if err != nil {
		return 0, err
	}
	return uint32(ifi.Index), nil
}
