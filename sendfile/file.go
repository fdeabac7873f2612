package sendfile

import (
	"io"
	"os"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// File is a reference-counted handle on an open regular file. It starts
// with one reference; Ref adds one and Release drops one, and the
// descriptor is closed when the count reaches zero. A File must not be
// copied.
type File struct {
	refs atomic.Int64
	fd   int      // immutable; valid while refs > 0
	name string   // immutable
	size int64    // immutable: the size at open
	osf  *os.File // immutable; the owned *os.File from NewFile, or nil
}

// Open opens the regular file at path read-only and close-on-exec, with one
// reference. It fails with ErrNotRegular (wrapped in an *os.PathError) for
// directories, pipes and devices.
func Open(path string) (*File, error) {
	var fd int
	var err error
	for {
		// O_NONBLOCK: opening a FIFO must not wait for a writer; it is
		// cleared again once the file is known to be regular.
		fd, err = unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOCTTY|unix.O_NONBLOCK, 0)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, &os.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "fcntl", Path: path, Err: err}
	}
	f := &File{fd: fd, name: path, size: st.Size}
	f.refs.Store(1)
	return f, nil
}

// NewFile wraps an open regular file, with one reference. On success the
// File takes ownership of osf: osf is closed with the last Release, and the
// caller must neither close it nor use its read offset any more (Send and
// ReadAt never move it). On error the caller still owns osf.
func NewFile(osf *os.File) (*File, error) {
	if osf == nil {
		return nil, os.ErrInvalid
	}
	fi, err := osf.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &os.PathError{Op: "newfile", Path: osf.Name(), Err: ErrNotRegular}
	}
	rc, err := osf.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	// Control, unlike osf.Fd, leaves the descriptor's blocking mode alone.
	if err := rc.Control(func(s uintptr) { fd = int(s) }); err != nil {
		return nil, err
	}
	f := &File{fd: fd, name: osf.Name(), size: fi.Size(), osf: osf}
	f.refs.Store(1)
	return f, nil
}

// Ref adds a reference and returns f. It is safe from any goroutine.
// Calling Ref on a File whose last reference was released is a
// use-after-close bug and panics: the descriptor is already closed and its
// number may belong to another file.
func (f *File) Ref() *File {
	for {
		r := f.refs.Load()
		if r <= 0 {
			panic("sendfile: Ref of a released File")
		}
		if f.refs.CompareAndSwap(r, r+1) {
			return f
		}
	}
}

// Release drops one reference and closes the descriptor when it was the
// last, returning the close error if any. Releasing more times than
// referenced returns ErrReleased and closes nothing. It is safe from any
// goroutine.
func (f *File) Release() error {
	for {
		r := f.refs.Load()
		if r <= 0 {
			return ErrReleased
		}
		if f.refs.CompareAndSwap(r, r-1) {
			if r > 1 {
				return nil
			}
			return f.close()
		}
	}
}

func (f *File) close() error {
	if f.osf != nil {
		return f.osf.Close()
	}
	if err := unix.Close(f.fd); err != nil {
		return &os.PathError{Op: "close", Path: f.name, Err: err}
	}
	return nil
}

// Refs reports the current number of references (for tests and debugging;
// the value may change at once under concurrent use).
func (f *File) Refs() int64 { return f.refs.Load() }

// Size is the file's size when it was opened. The file may have changed
// since; Send and ReadAt report what they find.
func (f *File) Size() int64 { return f.size }

// Name is the path given to Open, or the name of the *os.File given to
// NewFile.
func (f *File) Name() string { return f.name }

// FD is the file's descriptor, or -1 once the last reference is released.
// The descriptor stays valid only while the caller holds a reference.
func (f *File) FD() int {
	if f.refs.Load() <= 0 {
		return -1
	}
	return f.fd
}

// ReadAt reads len(p) bytes at offset off with pread(2), with io.ReaderAt's
// semantics: fewer than len(p) bytes come with an error, io.EOF at the end
// of the file. The file's own offset is not used. It is safe from any
// goroutine while the caller holds a reference.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	if f.refs.Load() <= 0 {
		return 0, ErrReleased
	}
	if off < 0 {
		return 0, ErrNegative
	}
	n := 0
	for n < len(p) {
		r, err := pread(f.fd, p[n:], off+int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, os.NewSyscallError("pread", err)
		}
		if r == 0 {
			return n, io.EOF
		}
		n += r
	}
	return n, nil
}

// pread reads at most 1 GiB at a time, the most every kernel accepts.
func pread(fd int, p []byte, off int64) (int, error) {
	if len(p) > 1<<30 {
		p = p[:1<<30]
	}
	n, err := unix.Pread(fd, p, off)
	if n < 0 {
		n = 0
	}
	return n, err
}
