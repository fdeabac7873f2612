package core

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestSmoke(t *testing.T) {
	b, err := NewBase()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	var got []string
	ev := b.NewEvent(fds[0], Read|Persist, nil)
	ev.cb = func(fd int, what Flags) {
		var buf [16]byte
		n, _ := unix.Read(fd, buf[:])
		got = append(got, "read:"+string(buf[:n])+":"+what.String())
		ev.Del()
	}
	if err := ev.Add(); err != nil {
		t.Fatal(err)
	}
	tm := b.NewTimer(func(fd int, what Flags) { got = append(got, "timer:"+what.String()) })
	start := time.Now()
	tm.AddTimeout(20 * time.Millisecond)
	go func() {
		time.Sleep(5 * time.Millisecond)
		b.Post(func() { got = append(got, "posted") })
		unix.Write(fds[1], []byte("hi"))
	}()
	if err := b.Dispatch(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 20*time.Millisecond {
		t.Errorf("timer early: %v", el)
	}
	t.Log(got, b.Backend())
	if len(got) != 3 || got[2] != "timer:Timeout" {
		t.Fatalf("got %v", got)
	}
}
