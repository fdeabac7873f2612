package evbuffer

import "errors"

// Errors returned by evbuffer. Each is comparable with errors.Is; a
// returned error may wrap one of them with more detail.
//
// System call failures from ReadFromFD and WriteToFD are returned as
// *os.SyscallError wrapping the errno, except EAGAIN (and EWOULDBLOCK),
// which comes back bare so that the hot path never allocates; compare it
// with errors.Is(err, unix.EAGAIN) or err == unix.EAGAIN.
var (
	// ErrFrozen is returned by an operation on a frozen end of a Buffer:
	// adding at the end (Add, AddString, AddPrintf, AddReference, AddFile,
	// AddBuffer, RemoveBuffer into it, Commit, ReadFromFD, Write,
	// WriteString, ReadFrom) when the end is frozen, and changing the
	// front (Prepend, PrependBuffer, Drain, Remove, RemoveBuffer and
	// AddBuffer out of it, WriteToFD, Read, ReadByte, WriteTo) when the
	// front is frozen. See Buffer.Freeze.
	ErrFrozen = errors.New("evbuffer: buffer is frozen")
	// ErrInvalid is returned for a bad argument: a negative length, a nil
	// or released sendfile.File, a nil source buffer, a buffer moved into
	// itself, an unknown PtrHow, a callback of another buffer.
	ErrInvalid = errors.New("evbuffer: invalid argument")
	// ErrRange is returned by PtrSet and CopyOutFrom for a position
	// outside [0, Len()], and by AddFile for a range outside the file.
	ErrRange = errors.New("evbuffer: position out of range")
	// ErrShort is returned by Pullup when the buffer holds fewer bytes
	// than asked for.
	ErrShort = errors.New("evbuffer: not enough data in buffer")
	// ErrTooLarge is returned when a length would overflow the buffer's
	// int length, or a reservation exceeds MaxReserve.
	ErrTooLarge = errors.New("evbuffer: too large")
	// ErrCommit is returned by Commit without a matching Reserve: nothing
	// was reserved, the buffer changed since, or n exceeds the reserved
	// length.
	ErrCommit = errors.New("evbuffer: commit does not match a reservation")
	// ErrFileRead wraps the error of reading a file segment into memory
	// (CopyOut, CopyOutFrom, Remove, Read, ReadByte, Pullup, WriteTo); the
	// file may have shrunk or failed. The buffer is left as it was before
	// the failing read.
	ErrFileRead = errors.New("evbuffer: reading file segment")
)
