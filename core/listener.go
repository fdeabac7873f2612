package core

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/internal/netutil"
	"github.com/goevent/goevent/internal/sys"
)

// ErrListenerClosed is returned by Listener.Enable and Listener.Disable
// after Close.
var ErrListenerClosed = errors.New("core: listener closed")

// AcceptFunc is called on the loop goroutine for each accepted connection.
// fd is the new connection: non-blocking, close-on-exec, and owned by the
// callback, which must eventually close it (or hand it to something that
// will). peer is the client's address; it is the zero AddrPort for unix
// sockets, and on a dual-stack listener an IPv4 client appears as a
// v4-mapped IPv6 address (peer.Addr().Unmap() gives the IPv4 one). The
// callback may Disable or Close its Listener.
type AcceptFunc func(fd int, peer netip.AddrPort)

// AcceptError is what a Listener's error callback receives when accept
// fails with anything but a retriable error (EAGAIN, EINTR,
// ECONNABORTED, EPROTO). The Listener then pauses: it stops watching its
// socket for Backoff and tries again, so a lasting failure (out of fds:
// EMFILE, ENFILE; out of memory: ENOBUFS, ENOMEM) never spins the loop.
// errors.Is(err, unix.EMFILE) sees through it.
type AcceptError struct {
	Err     error         // the errno
	Backoff time.Duration // how long accepting pauses
}

// Error describes the failure and the pause.
func (e *AcceptError) Error() string {
	return "core: accept: " + e.Err.Error() + " (retrying in " + e.Backoff.String() + ")"
}

// Unwrap returns the errno.
func (e *AcceptError) Unwrap() error { return e.Err }

// Accept backoff bounds: the first pause after a failed accept, and the
// longest; each consecutive failure doubles the pause, and a successful
// accept resets it.
const (
	acceptBackoffMin = 10 * time.Millisecond
	acceptBackoffMax = time.Second
)

// ListenOption configures Listen and NewListener.
type ListenOption func(*listenConfig)

type listenConfig struct {
	backlog     int
	noReuseAddr bool
	reusePort   bool
	ipv6Only    bool
	batch       int
	disabled    bool
	nagle       bool
}

// Defaults for ListenOption values.
const (
	// DefaultAcceptBatch is how many connections a Listener accepts per
	// readiness report unless WithAcceptBatch says otherwise. When more
	// are queued, the loop runs its other callbacks and comes back.
	DefaultAcceptBatch = 64
	// DefaultBacklog is the listen(2) backlog unless WithBacklog says
	// otherwise. The kernel lowers it to its own maximum
	// (net.core.somaxconn on Linux, kern.ipc.soacceptqueue or somaxconn
	// on the BSDs and darwin), so the default is the system's maximum.
	DefaultBacklog = 65535
)

// WithBacklog sets the listen(2) backlog: how many connections the kernel
// queues before the Listener accepts them (n <= 0: DefaultBacklog). It
// applies to Listen only.
func WithBacklog(n int) ListenOption {
	return func(c *listenConfig) { c.backlog = n }
}

// WithoutReuseAddr leaves SO_REUSEADDR off; by default Listen sets it on
// TCP sockets so a restarted server can bind a port that old connections
// in TIME_WAIT still hold. It applies to Listen only.
func WithoutReuseAddr() ListenOption {
	return func(c *listenConfig) { c.noReuseAddr = true }
}

// WithReusePort sets SO_REUSEPORT (SO_REUSEPORT_LB on FreeBSD) so several
// sockets may listen on one TCP address and port (libevent's
// LEV_OPT_REUSEABLE_PORT). On Linux, FreeBSD and DragonFly the kernel then
// spreads connections among them; elsewhere one socket receives them all.
// It applies to Listen only.
func WithReusePort() ListenOption {
	return func(c *listenConfig) { c.reusePort = true }
}

// WithIPv6Only sets IPV6_V6ONLY on an IPv6 socket, so a wildcard address
// accepts IPv6 connections only (libevent's LEV_OPT_BIND_IPV6ONLY). By
// default Listen clears it: "tcp" or "tcp6" on [::] accept IPv4 too, as
// v4-mapped peers. It applies to Listen only.
func WithIPv6Only() ListenOption {
	return func(c *listenConfig) { c.ipv6Only = true }
}

// WithAcceptBatch sets the most connections accepted per readiness report
// (n <= 0: DefaultAcceptBatch). Larger batches cost fewer loop passes
// under a connection storm; smaller ones let other callbacks run sooner.
func WithAcceptBatch(n int) ListenOption {
	return func(c *listenConfig) { c.batch = n }
}

// WithoutNoDelay leaves Nagle's algorithm on for accepted TCP
// connections. By default a Listener sets TCP_NODELAY on every TCP
// connection it accepts, before the AcceptFunc sees it, as Go's net
// package and gnet do: small writes (a reply to a request) go out at once
// instead of waiting for the peer's ACK of earlier data (up to 40 ms with
// delayed ACKs). It costs one setsockopt(2) per connection. Unix sockets
// are not affected. It applies to Listen and NewListener.
func WithoutNoDelay() ListenOption {
	return func(c *listenConfig) { c.nagle = true }
}

// WithStartDisabled makes the Listener start disabled (libevent's
// LEV_OPT_DISABLED): it accepts nothing until Enable.
func WithStartDisabled() ListenOption {
	return func(c *listenConfig) { c.disabled = true }
}

// A Listener accepts connections on a listening socket from its Base's
// loop, without a goroutine: libevent's evconnlistener. Each readiness
// report accepts up to a batch of connections (WithAcceptBatch), each
// handed to the AcceptFunc; the accept path allocates nothing.
//
// When accept fails for lack of fds or memory (EMFILE, ENFILE, ENOBUFS,
// ENOMEM) or with any other non-retriable error, the Listener calls its
// error callback with an *AcceptError, stops watching the socket, and
// tries again after a pause that starts at 10ms and doubles up to 1s
// (reset by a successful accept): it neither spins nor stays stuck, and
// resumes by itself once fds are free.
//
// Every method of Listener is safe to call from any goroutine, including
// from its own AcceptFunc and error callback. The callbacks run on the
// loop goroutine of the Listener's Base.
type Listener struct {
	base  *Base      // immutable
	fd    int        // immutable; closed by Close
	addr  net.Addr   // immutable
	cb    AcceptFunc // immutable
	batch int        // immutable
	// noDelay: set TCP_NODELAY on accepted connections (TCP, and not
	// WithoutNoDelay). Immutable.
	noDelay bool

	// unix socket file created by Listen, unlinked by Close if it is
	// still the one bound (same device and inode); "" otherwise.
	path     string // immutable
	pathDev  uint64 // immutable
	pathIno  uint64 // immutable
	ev       Event  // readiness of fd; Read|Persist
	backoffT Event  // re-enables ev after a failed accept

	mu sync.Mutex
	// All fields below are guarded by mu. mu is held around each accept
	// call so Close cannot close fd under it; it is released while a
	// callback runs. Lock order: mu, then base.mu.
	errCB      func(error)
	enabled    bool
	backingOff bool          // backoffT is armed; ev is deleted
	backoff    time.Duration // the last pause; 0 after a successful accept
	closed     bool
}

// Listen opens a listening socket and starts accepting on b's loop,
// calling cb for each connection (libevent's evconnlistener_new_bind).
// network is "tcp", "tcp4", "tcp6" or "unix"; addr is host:port for TCP
// (an empty host listens on every address: dual-stack [::] for "tcp" when
// the system has IPv6, 0.0.0.0 otherwise; port 0 picks a free port, see
// Addr) or a path for "unix" (on Linux a leading '@' names an abstract
// socket).
//
// The socket is non-blocking and close-on-exec; TCP sockets get
// SO_REUSEADDR unless WithoutReuseAddr, and IPv6 ones IPV6_V6ONLY only
// WithIPv6Only. Accepted TCP connections get TCP_NODELAY unless
// WithoutNoDelay. For "unix", an existing file at path is removed first only
// if it is a socket that nobody listens on (connect is refused): a stale
// socket left by a dead process. Any other file, or a live socket, makes
// Listen fail with EADDRINUSE. Close removes the socket file.
//
// Errors are *net.OpError values wrapping the failing system call (so
// errors.Is(err, unix.EADDRINUSE) works), or ErrInvalid for a bad
// network or address. Safe from any goroutine.
func Listen(b *Base, network, addr string, cb AcceptFunc, opts ...ListenOption) (*Listener, error) {
	c := newListenConfig(opts)
	if cb == nil {
		return nil, fmt.Errorf("%w: nil AcceptFunc", ErrInvalid)
	}
	var (
		fd  int
		err error
		l   *Listener
	)
	switch network {
	case "tcp", "tcp4", "tcp6":
		fd, err = listenTCP(network, addr, &c)
		if err != nil {
			return nil, err
		}
		la, err := sockName(fd)
		if err != nil {
			unix.Close(fd)
			return nil, &net.OpError{Op: "listen", Net: network, Err: err}
		}
		l = newListener(b, fd, la, cb, &c)
	case "unix":
		if c.reusePort {
			return nil, fmt.Errorf("%w: SO_REUSEPORT on a unix socket", ErrUnsupported)
		}
		var st unix.Stat_t
		fd, st, err = listenUnix(addr, &c)
		if err != nil {
			return nil, err
		}
		l = newListener(b, fd, &net.UnixAddr{Name: addr, Net: "unix"}, cb, &c)
		if isPath(addr) {
			l.path, l.pathDev, l.pathIno = addr, uint64(st.Dev), uint64(st.Ino)
		}
	default:
		return nil, fmt.Errorf("%w: network %q (want tcp, tcp4, tcp6 or unix)", ErrInvalid, network)
	}
	if err := l.start(&c); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// NewListener accepts on b's loop the connections of ln, a
// *net.TCPListener or *net.UnixListener (or any net.Listener with a
// SyscallConn method over a listening stream socket). It duplicates ln's
// fd and owns the duplicate, which Close closes; the caller keeps ln and
// closes it when it likes, before or after. Both descriptors share one
// accept queue: a connection goes to whichever accepts first. Only
// WithAcceptBatch, WithStartDisabled and WithoutNoDelay apply (accepted
// connections of a TCP ln get TCP_NODELAY, as Listen's do); Close does not remove a
// unix socket file (ln's own Close does that).
// Safe from any goroutine.
func NewListener(b *Base, ln net.Listener, cb AcceptFunc, opts ...ListenOption) (*Listener, error) {
	c := newListenConfig(opts)
	if cb == nil {
		return nil, fmt.Errorf("%w: nil AcceptFunc", ErrInvalid)
	}
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return nil, fmt.Errorf("%w: %T has no SyscallConn", ErrInvalid, ln)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil, err
	}
	nfd := -1
	var derr error
	if err := rc.Control(func(fd uintptr) { nfd, derr = netutil.DupCloseOnExec(int(fd)) }); err != nil {
		return nil, err
	}
	if derr != nil {
		return nil, derr
	}
	// The duplicate shares the file description, which the Go runtime
	// keeps non-blocking; make sure all the same.
	if err := netutil.SetNonblock(nfd); err != nil {
		unix.Close(nfd)
		return nil, err
	}
	l := newListener(b, nfd, ln.Addr(), cb, &c)
	if err := l.start(&c); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func newListenConfig(opts []ListenOption) listenConfig {
	var c listenConfig
	for _, o := range opts {
		o(&c)
	}
	if c.backlog <= 0 {
		c.backlog = DefaultBacklog
	}
	if c.batch <= 0 {
		c.batch = DefaultAcceptBatch
	}
	return c
}

func newListener(b *Base, fd int, addr net.Addr, cb AcceptFunc, c *listenConfig) *Listener {
	_, tcp := addr.(*net.TCPAddr)
	l := &Listener{base: b, fd: fd, addr: addr, cb: cb, batch: c.batch, noDelay: tcp && !c.nagle}
	l.ev.Assign(b, fd, Read|Persist, l.onReadable)
	l.backoffT.Assign(b, -1, 0, l.onBackoff)
	return l
}

func (l *Listener) start(c *listenConfig) error {
	if c.disabled {
		return nil
	}
	return l.Enable()
}

// Base returns the Listener's Base.
func (l *Listener) Base() *Base { return l.base }

// FD returns the listening socket. It stays owned by the Listener; it is
// closed, and the number may be reused, after Close.
func (l *Listener) FD() int { return l.fd }

// Addr returns the address the Listener accepts on: a *net.TCPAddr with
// the port the kernel picked for port 0, or a *net.UnixAddr.
func (l *Listener) Addr() net.Addr { return l.addr }

// SetErrorCallback sets the function called, on the loop goroutine, with
// an *AcceptError each time accept fails and the Listener pauses; nil
// removes it. Safe from any goroutine.
func (l *Listener) SetErrorCallback(fn func(error)) {
	l.mu.Lock()
	l.errCB = fn
	l.mu.Unlock()
}

// Enable starts (or resumes) accepting. It fails with ErrListenerClosed
// after Close, and with ErrClosed once the Base is closed. Safe from any
// goroutine.
func (l *Listener) Enable() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrListenerClosed
	}
	if l.enabled {
		return nil
	}
	if err := l.ev.Add(); err != nil {
		return err
	}
	l.enabled = true
	return nil
}

// Disable stops accepting until Enable; connections queue in the kernel
// meanwhile. A pause after a failed accept is cancelled, and Enable tries
// to accept at once. Disable does not wait for an AcceptFunc running on
// the loop goroutine, but that callback is the last: no connection is
// accepted after Disable returns. Safe from any goroutine.
func (l *Listener) Disable() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrListenerClosed
	}
	l.enabled = false
	return l.unwatchLocked()
}

// unwatchLocked deletes both events without waiting for their callbacks
// (they take l.mu, which the caller holds).
func (l *Listener) unwatchLocked() error {
	l.backingOff = false
	b := l.base
	b.mu.Lock()
	err := b.delLocked(&l.ev)
	if terr := b.delLocked(&l.backoffT); err == nil {
		err = terr
	}
	b.mu.Unlock()
	if errors.Is(err, ErrClosed) {
		err = nil
	}
	return err
}

// Close stops accepting, closes the listening socket and, for a unix
// socket made by Listen, removes its file (if the path still names that
// socket). Called from another goroutine while the Listener's callback
// runs on the loop, Close returns after that callback has finished, so no
// callback runs after Close returns; from a callback it returns at once.
// Closing the Base does not close its Listeners: call Close. Close is
// idempotent. Safe from any goroutine.
func (l *Listener) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	l.enabled = false
	err := l.unwatchLocked()
	if cerr := unix.Close(l.fd); cerr != nil && err == nil {
		err = os.NewSyscallError("close", cerr)
	}
	if l.path != "" {
		var st unix.Stat_t
		if unix.Lstat(l.path, &st) == nil && uint64(st.Dev) == l.pathDev && uint64(st.Ino) == l.pathIno {
			unix.Unlink(l.path)
		}
	}
	l.mu.Unlock()
	b := l.base
	b.mu.Lock()
	b.delWaitLocked(&l.ev)
	b.delWaitLocked(&l.backoffT)
	b.mu.Unlock()
	return err
}

// onReadable is the accept loop, run on the loop goroutine when the
// socket is readable.
func (l *Listener) onReadable(int, Flags) {
	for i := 0; i < l.batch; i++ {
		l.mu.Lock()
		if !l.enabled || l.backingOff {
			l.mu.Unlock()
			return
		}
		nfd, peer, err := sys.Accept4(l.fd)
		if err == nil {
			l.backoff = 0
			l.mu.Unlock()
			if l.noDelay {
				// Best effort, as in Go's net: a connection that died
				// already fails its first read or write instead.
				_ = netutil.SetNoDelay(nfd)
			}
			l.cb(nfd, peer)
			continue
		}
		switch err {
		case unix.EAGAIN:
			l.mu.Unlock()
			return
		case unix.EINTR, unix.ECONNABORTED, unix.EPROTO:
			// The connection died in the queue; try the next.
			l.mu.Unlock()
			continue
		}
		d := l.pauseLocked()
		fn := l.errCB
		l.mu.Unlock()
		if fn != nil {
			fn(&AcceptError{Err: err, Backoff: d})
		}
		return
	}
}

// pauseLocked stops watching the socket and arms the backoff timer,
// doubling the pause each time in a row.
func (l *Listener) pauseLocked() time.Duration {
	switch {
	case l.backoff == 0:
		l.backoff = acceptBackoffMin
	case l.backoff < acceptBackoffMax:
		l.backoff = min(2*l.backoff, acceptBackoffMax)
	}
	l.backingOff = true
	b := l.base
	b.mu.Lock()
	b.delLocked(&l.ev)
	b.addLocked(&l.backoffT, l.backoff)
	b.mu.Unlock()
	return l.backoff
}

// onBackoff ends a pause: it watches the socket again, and the next
// readiness report retries accept.
func (l *Listener) onBackoff(int, Flags) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.backingOff || !l.enabled {
		return
	}
	l.backingOff = false
	l.ev.Add()
}

// listenTCP makes a bound, listening TCP socket.
func listenTCP(network, addr string, c *listenConfig) (int, error) {
	opErr := func(err error) error { return &net.OpError{Op: "listen", Net: network, Err: err} }
	ta, err := net.ResolveTCPAddr(network, addr)
	if err != nil {
		return -1, opErr(err)
	}
	var ip netip.Addr
	if ta.IP != nil {
		ip, _ = netip.AddrFromSlice(ta.IP)
		ip = ip.WithZone(ta.Zone)
	}
	pn := ta.Port
	family := unix.AF_INET6
	switch {
	case network == "tcp6":
		if ip.Is4() {
			return -1, opErr(fmt.Errorf("%w: %s is not an IPv6 address", ErrInvalid, ip))
		}
	case network == "tcp4" || ip.Is4() || ip.Is4In6():
		family = unix.AF_INET
		ip = ip.Unmap()
		if ip.Is6() {
			return -1, opErr(fmt.Errorf("%w: %s is not an IPv4 address", ErrInvalid, ip))
		}
	}
	fd, err := netutil.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil && family == unix.AF_INET6 && !ip.IsValid() && network == "tcp" &&
		errors.Is(err, unix.EAFNOSUPPORT) {
		// No IPv6 here: a wildcard "tcp" listener is IPv4 only.
		family = unix.AF_INET
		fd, err = netutil.Socket(family, unix.SOCK_STREAM, 0)
	}
	if err != nil {
		return -1, opErr(err)
	}
	var sa unix.Sockaddr
	if family == unix.AF_INET {
		sa4 := &unix.SockaddrInet4{Port: pn}
		if ip.IsValid() {
			sa4.Addr = ip.As4()
		}
		sa = sa4
	} else {
		sa6 := &unix.SockaddrInet6{Port: pn}
		if ip.IsValid() {
			sa6.Addr = ip.As16()
			if z := ip.Zone(); z != "" {
				if sa6.ZoneId, err = zoneIndex(z); err != nil {
					unix.Close(fd)
					return -1, opErr(err)
				}
			}
		}
		sa = sa6
	}
	if err := setupTCP(fd, family, c); err != nil {
		unix.Close(fd)
		return -1, opErr(err)
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return -1, &net.OpError{Op: "listen", Net: network, Addr: tcpAddr(sa), Err: os.NewSyscallError("bind", err)}
	}
	if err := unix.Listen(fd, c.backlog); err != nil {
		unix.Close(fd)
		return -1, &net.OpError{Op: "listen", Net: network, Addr: tcpAddr(sa), Err: os.NewSyscallError("listen", err)}
	}
	return fd, nil
}

func setupTCP(fd, family int, c *listenConfig) error {
	if !c.noReuseAddr {
		if err := netutil.SetReuseAddr(fd, true); err != nil {
			return err
		}
	}
	if c.reusePort {
		if err := netutil.SetReusePort(fd); err != nil {
			return err
		}
	}
	if family == unix.AF_INET6 {
		if err := netutil.SetIPv6Only(fd, c.ipv6Only); err != nil {
			return err
		}
	}
	return nil
}

func zoneIndex(zone string) (uint32, error) {
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, err
	}
	return uint32(ifi.Index), nil
}

// listenUnix makes a bound, listening unix stream socket, replacing a
// stale socket file; it returns the file's identity after bind.
func listenUnix(path string, c *listenConfig) (int, unix.Stat_t, error) {
	var st unix.Stat_t
	ua := &net.UnixAddr{Name: path, Net: "unix"}
	opErr := func(call string, err error) error {
		return &net.OpError{Op: "listen", Net: "unix", Addr: ua, Err: os.NewSyscallError(call, err)}
	}
	if path == "" {
		return -1, st, &net.OpError{Op: "listen", Net: "unix", Err: fmt.Errorf("%w: empty unix socket path", ErrInvalid)}
	}
	if isPath(path) {
		if err := removeStaleSocket(path); err != nil {
			return -1, st, &net.OpError{Op: "listen", Net: "unix", Addr: ua, Err: err}
		}
	}
	fd, err := netutil.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, st, &net.OpError{Op: "listen", Net: "unix", Addr: ua, Err: err}
	}
	if err := unix.Bind(fd, &unix.SockaddrUnix{Name: path}); err != nil {
		unix.Close(fd)
		return -1, st, opErr("bind", err)
	}
	if isPath(path) {
		if err := unix.Lstat(path, &st); err != nil {
			unix.Close(fd)
			return -1, st, opErr("lstat", err)
		}
	}
	if err := unix.Listen(fd, c.backlog); err != nil {
		unix.Close(fd)
		if isPath(path) {
			unix.Unlink(path)
		}
		return -1, st, opErr("listen", err)
	}
	return fd, st, nil
}

// isPath reports whether a unix socket address names a file (not an
// abstract socket).
func isPath(addr string) bool { return addr != "" && addr[0] != '@' }

// removeStaleSocket removes path if it is a socket nobody listens on. It
// leaves anything else alone and reports EADDRINUSE for it.
func removeStaleSocket(path string) error {
	var st unix.Stat_t
	if err := unix.Lstat(path, &st); err != nil {
		if err == unix.ENOENT {
			return nil
		}
		return os.NewSyscallError("lstat", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFSOCK {
		return fmt.Errorf("%s exists and is not a socket: %w", path, unix.EADDRINUSE)
	}
	probe, err := netutil.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return err
	}
	err = unix.Connect(probe, &unix.SockaddrUnix{Name: path})
	unix.Close(probe)
	if err != unix.ECONNREFUSED {
		return fmt.Errorf("%s is a live socket: %w", path, unix.EADDRINUSE)
	}
	if err := unix.Unlink(path); err != nil && err != unix.ENOENT {
		return os.NewSyscallError("unlink", err)
	}
	return nil
}

// sockName returns fd's local TCP address.
func sockName(fd int) (net.Addr, error) {
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return nil, os.NewSyscallError("getsockname", err)
	}
	return tcpAddr(sa), nil
}

func tcpAddr(sa unix.Sockaddr) *net.TCPAddr {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(sa.Addr[:]).To16(), Port: sa.Port}
	case *unix.SockaddrInet6:
		a := &net.TCPAddr{IP: append(net.IP(nil), sa.Addr[:]...), Port: sa.Port}
		if sa.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(sa.ZoneId)); err == nil {
				a.Zone = ifi.Name
			} else {
				a.Zone = strconv.FormatUint(uint64(sa.ZoneId), 10)
			}
		}
		return a
	}
	return nil
}
