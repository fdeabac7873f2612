package evbuffer

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestIOInterfaces(t *testing.T) {
	f := tempFile(t, []byte("FILEDATA"))
	var b Buffer
	io.WriteString(&b, "hello ")
	b.AddFile(f, 0, 8)
	b.AddReference([]byte(" ref"), nil)
	var out bytes.Buffer
	n, err := io.Copy(&out, &b) // WriteTo
	if err != nil || n != 18 || out.String() != "hello FILEDATA ref" {
		t.Fatalf("io.Copy out = %d %v %q", n, err, out.String())
	}
	n, err = io.Copy(&b, strings.NewReader(strings.Repeat("r", 100000))) // ReadFrom
	if err != nil || n != 100000 || b.Len() != 100000 {
		t.Fatalf("io.Copy in = %d %v", n, err)
	}
	b.Reset()
	// iotest checks Read against its contract.
	b.AddString("abc")
	b.AddFile(f, 2, 3)
	b.AddString("xyz")
	if err := iotest.TestReader(&readerOnly{&b}, []byte("abcLEDxyz")); err != nil {
		t.Fatal(err)
	}
}

// readerOnly hides the other methods so iotest sees a plain io.Reader.
type readerOnly struct{ r io.Reader }

func (r *readerOnly) Read(p []byte) (int, error) { return r.r.Read(p) }

func TestReadByte(t *testing.T) {
	f := tempFile(t, []byte("F"))
	var b Buffer
	b.AddString("a")
	b.AddFile(f, 0, 1)
	b.AddReference([]byte("r"), nil)
	var got []byte
	for {
		c, err := b.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if string(got) != "aFr" {
		t.Fatalf("ReadByte gave %q", got)
	}
}

type shortWriter struct {
	w   bytes.Buffer
	max int
	err error
}

func (s *shortWriter) Write(p []byte) (int, error) {
	if len(p) > s.max {
		s.w.Write(p[:s.max])
		return s.max, s.err
	}
	s.w.Write(p)
	return len(p), nil
}

func TestWriteToKeepsUnwritten(t *testing.T) {
	var b Buffer
	b.AddString("0123456789")
	boom := errors.New("boom")
	sw := &shortWriter{max: 4, err: boom}
	n, err := b.WriteTo(sw)
	if n != 4 || err != boom {
		t.Fatalf("WriteTo = %d, %v", n, err)
	}
	mustEqual(t, &b, []byte("456789"))
	sw = &shortWriter{max: 2}
	if n, err := b.WriteTo(sw); n != 2 || err != io.ErrShortWrite {
		t.Fatalf("short write without error: %d, %v", n, err)
	}
	mustEqual(t, &b, []byte("6789"))
}

func TestReadFromError(t *testing.T) {
	var b Buffer
	boom := errors.New("boom")
	n, err := b.ReadFrom(iotest.TimeoutReader(strings.NewReader(strings.Repeat("x", 5000))))
	if err != iotest.ErrTimeout || n == 0 {
		t.Fatalf("ReadFrom = %d, %v", n, err)
	}
	n, err = b.ReadFrom(iotest.ErrReader(boom))
	if err != boom || n != 0 {
		t.Fatalf("ReadFrom = %d, %v", n, err)
	}
	if b.Len() != 5000 && b.Len() == 0 {
		t.Fatalf("Len = %d", b.Len())
	}
	if err := checkInvariants(&b); err != nil {
		t.Fatal(err)
	}
}
