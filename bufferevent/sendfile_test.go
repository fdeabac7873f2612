package bufferevent

import (
	"hash/crc32"
	"io"
	"os"
	"runtime"
	"testing"

	"github.com/goevent/goevent/sendfile"
	"golang.org/x/sys/unix"
)

// TestSendFile: a big sparse file sent through a socket BufferEvent with
// evbuffer.AddFile arrives byte-exact, through sendfile, without copying
// it through memory.
func TestSendFile(t *testing.T) {
	size := int64(64 << 20)
	if !testing.Short() && !raceEnabled {
		size = 1 << 30
	}
	path := t.TempDir() + "/big"
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	marker := make([]byte, 4096)
	for i := range marker {
		marker[i] = byte(i % 251)
	}
	for off := int64(12345); off+int64(len(marker)) < size; off += 16 << 20 {
		f.WriteAt(marker, off)
	}
	want := crc32.NewIEEE()
	if _, err := io.Copy(want, io.NewSectionReader(f, 0, size)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sf, err := sendfile.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Release()

	base := newBase(t)
	pair := socketpair(t)
	fds := [2]int{pair[0], pair[1]}
	pair[0] = -1 // closed by the BufferEvent (CloseOnFree)
	// The receiver reads on its own goroutine with a fixed buffer.
	type result struct {
		n   int64
		sum uint32
	}
	got := make(chan result, 1)
	go func() {
		buf := make([]byte, 256<<10)
		pfd := []unix.PollFd{{Fd: int32(fds[1]), Events: unix.POLLIN}}
		var n int64
		var sum uint32
		for n < size {
			k, err := unix.Read(fds[1], buf)
			if k > 0 {
				sum = crc32.Update(sum, crc32.IEEETable, buf[:k])
				n += int64(k)
				continue
			}
			if err == unix.EAGAIN {
				unix.Poll(pfd, 1000)
				continue
			}
			break
		}
		got <- result{n, sum}
	}()

	bev := mustSocket(t, base, fds[0], CloseOnFree)
	bev.SetCallbacks(nil, func(bev *BufferEvent) {
		if bev.Output().Len() == 0 {
			base.LoopBreak()
		}
	}, func(bev *BufferEvent, w What, err error) {
		t.Errorf("event %v: %v", w, err)
		base.LoopBreak()
	})
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	if err := bev.Output().AddFile(sf, 0, size); err != nil {
		t.Fatal(err)
	}
	run(t, base)
	r := <-got
	runtime.ReadMemStats(&ms1)
	bev.Free()
	if r.n != size || r.sum != want.Sum32() {
		t.Fatalf("received %d bytes crc %08x, want %d crc %08x", r.n, r.sum, size, want.Sum32())
	}
	if grew := ms1.TotalAlloc - ms0.TotalAlloc; grew >= 1<<20 {
		t.Errorf("TotalAlloc grew by %d bytes sending %d", grew, size)
	}
}
