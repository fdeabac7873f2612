package sendfile

import "errors"

// Errors returned by sendfile. Each is comparable with errors.Is. Failing
// system calls are reported as *os.SyscallError wrapping the errno (so
// errors.Is(err, unix.EPIPE) works), except EAGAIN from Send, which comes
// back bare.
var (
	// ErrReleased is returned by File.Release when the File has no
	// reference left (a release more than it was referenced; the fd is
	// never closed twice), and by ReadAt and Send on such a File.
	ErrReleased = errors.New("sendfile: file already released")
	// ErrNotRegular is returned by Open and NewFile for anything that is
	// not a regular file (a directory, a pipe, a device).
	ErrNotRegular = errors.New("sendfile: not a regular file")
	// ErrNegative is returned by Send and ReadAt for a negative offset or
	// length.
	ErrNegative = errors.New("sendfile: negative offset or length")
	// ErrUnsatisfiable is returned by ParseRange when the header is valid
	// but none of its ranges overlaps the file: the server answers 416
	// Range Not Satisfiable with the Content-Range from
	// UnsatisfiedContentRange.
	ErrUnsatisfiable = errors.New("sendfile: range not satisfiable")
	// ErrInvalidRange is returned by ParseRange for a header it ignores:
	// malformed, another unit than bytes, too many ranges, or ranges that
	// add up to more than twice the file (range amplification). Per RFC
	// 9110 §14.2 the server then ignores Range and answers 200 with the
	// whole file.
	ErrInvalidRange = errors.New("sendfile: invalid range")
)
