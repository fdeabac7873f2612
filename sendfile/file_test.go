package sendfile

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// testContent is deterministic, non-repeating-looking content: any off-by-one
// in an offset shows as a mismatch.
func testContent(n int) []byte {
	b := make([]byte, n)
	x := uint32(2463534242)
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func writeTemp(t testing.TB, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "data")
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func openTemp(t testing.TB, content []byte) *File {
	t.Helper()
	f, err := Open(writeTemp(t, content))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestOpen(t *testing.T) {
	content := testContent(1000)
	p := writeTemp(t, content)
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if f.Size() != 1000 || f.Name() != p || f.FD() < 0 || f.Refs() != 1 {
		t.Fatalf("Size %d Name %q FD %d Refs %d", f.Size(), f.Name(), f.FD(), f.Refs())
	}
	if fl, err := unix.FcntlInt(uintptr(f.FD()), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK != 0 {
		t.Fatalf("file flags %#x, %v: O_NONBLOCK left set", fl, err)
	}
	if err := f.Release(); err != nil {
		t.Fatal(err)
	}
	if f.FD() != -1 {
		t.Fatalf("FD after release = %d", f.FD())
	}

	if _, err := Open(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := Open(t.TempDir()); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("directory: %v", err)
	}
	// A FIFO without a writer: refused at once, not a hang in open(2).
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	if _, err := Open(fifo); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("fifo: %v", err)
	}
}

func TestNewFile(t *testing.T) {
	p := writeTemp(t, testContent(10))
	osf, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewFile(osf)
	if err != nil {
		t.Fatal(err)
	}
	if f.Size() != 10 || f.Name() != p {
		t.Fatalf("Size %d Name %q", f.Size(), f.Name())
	}
	f.Ref()
	if err := f.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := osf.Stat(); err != nil {
		t.Fatalf("closed before the last release: %v", err)
	}
	if err := f.Release(); err != nil {
		t.Fatal(err)
	}
	if err := osf.Close(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("os.File not closed by the last release: %v", err)
	}

	dir, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	if _, err := NewFile(dir); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("directory: %v", err)
	}
	if _, err := dir.Stat(); err != nil {
		t.Fatalf("NewFile closed the file it refused: %v", err)
	}
}

func TestRefcount(t *testing.T) {
	content := testContent(100)
	f := openTemp(t, content)
	for range 5 {
		if f.Ref() != f {
			t.Fatal("Ref did not return f")
		}
	}
	buf := make([]byte, 100)
	for i := range 5 {
		if err := f.Release(); err != nil {
			t.Fatal(err)
		}
		// Never closed early: the file still reads after every release
		// but the last.
		if _, err := f.ReadAt(buf, 0); err != nil || !bytes.Equal(buf, content) {
			t.Fatalf("after release %d: %v", i, err)
		}
	}
	if err := f.Release(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := f.Release(); !errors.Is(err, ErrReleased) {
			t.Fatalf("over-release: %v", err)
		}
	}
	if f.Refs() != 0 {
		t.Fatalf("Refs = %d after over-release", f.Refs())
	}
	if _, err := f.ReadAt(buf, 0); !errors.Is(err, ErrReleased) {
		t.Fatalf("ReadAt after release: %v", err)
	}
	if _, err := Send(0, f, 0, 1); !errors.Is(err, ErrReleased) {
		t.Fatalf("Send after release: %v", err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("Ref of a released File did not panic")
			}
		}()
		f.Ref()
	}()
}

// TestRefcountConcurrent runs Ref/Release from many goroutines (under -race
// in CI), then races the final releases: exactly one closes.
func TestRefcountConcurrent(t *testing.T) {
	content := testContent(64)
	p := writeTemp(t, content)
	osf, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := NewFile(osf)
	if err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 8, 2000
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			buf := make([]byte, 8)
			for i := range rounds {
				g := f.Ref()
				if i%64 == 0 {
					if _, err := g.ReadAt(buf, 3); err != nil || !bytes.Equal(buf, content[3:11]) {
						errs <- err
						return
					}
				}
				if err := g.Release(); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if f.Refs() != 1 {
		t.Fatalf("Refs = %d, want 1", f.Refs())
	}

	// Final release race: workers references, workers+1 releasers (one
	// too many); exactly one ErrReleased, one close.
	for range workers - 1 {
		f.Ref()
	}
	results := make(chan error, workers+1)
	for range workers + 1 {
		wg.Go(func() { results <- f.Release() })
	}
	wg.Wait()
	close(results)
	released := 0
	for err := range results {
		switch {
		case errors.Is(err, ErrReleased):
			released++
		case err != nil:
			t.Fatalf("Release: %v", err)
		}
	}
	if released != 1 {
		t.Fatalf("%d ErrReleased, want 1", released)
	}
	if err := osf.Close(); !errors.Is(err, os.ErrClosed) {
		t.Fatalf("file not closed: %v", err)
	}
}

func TestReadAt(t *testing.T) {
	content := testContent(5000)
	f := openTemp(t, content)
	defer f.Release()
	var _ io.ReaderAt = f
	buf := make([]byte, 1000)
	for _, off := range []int64{0, 1, 3999, 4000} {
		n, err := f.ReadAt(buf, off)
		if err != nil || n != 1000 || !bytes.Equal(buf, content[off:off+1000]) {
			t.Fatalf("ReadAt(%d) = %d, %v", off, n, err)
		}
	}
	n, err := f.ReadAt(buf, 4500)
	if n != 500 || err != io.EOF || !bytes.Equal(buf[:500], content[4500:]) {
		t.Fatalf("ReadAt at the end = %d, %v", n, err)
	}
	if n, err := f.ReadAt(buf, 6000); n != 0 || err != io.EOF {
		t.Fatalf("ReadAt past the end = %d, %v", n, err)
	}
	if _, err := f.ReadAt(buf, -1); !errors.Is(err, ErrNegative) {
		t.Fatalf("ReadAt(-1): %v", err)
	}
}
