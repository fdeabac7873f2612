package core_test

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goevent/goevent/core"
)

// A read event on one end of a socketpair, with an idle timeout.
func ExampleBase_NewEvent() {
	b, err := core.NewBase()
	if err != nil {
		panic(err)
	}
	defer b.Close()

	fds, _ := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	unix.SetNonblock(fds[0], true)
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])

	var ev *core.Event
	ev = b.NewEvent(fds[0], core.Read|core.Persist, func(fd int, what core.Flags) {
		if what&core.Timeout != 0 {
			fmt.Println("idle, giving up")
			ev.Del()
			return
		}
		buf := make([]byte, 64)
		n, _ := unix.Read(fd, buf)
		fmt.Printf("%s: %q\n", what, buf[:n])
	})
	ev.AddTimeout(50 * time.Millisecond)
	unix.Write(fds[1], []byte("hello"))

	b.Dispatch() // returns when no event is left
	// Output:
	// Read: "hello"
	// idle, giving up
}

// Timers fire in deadline order; a timer callback may add others.
func ExampleBase_NewTimer() {
	b, _ := core.NewBase()
	defer b.Close()
	for _, d := range []time.Duration{30, 10, 20} {
		d := d * time.Millisecond
		b.NewTimer(func(int, core.Flags) { fmt.Println("timer", d) }).AddTimeout(d)
	}
	b.Dispatch()
	// Output:
	// timer 10ms
	// timer 20ms
	// timer 30ms
}

// Post hands work to the loop from another goroutine.
func ExampleBase_Post() {
	b, _ := core.NewBase()
	defer b.Close()
	done := make(chan struct{})
	go func() {
		b.Post(func() {
			fmt.Println("ran on the loop")
			b.LoopBreak()
		})
		close(done)
	}()
	b.Loop(core.LoopNoExitOnEmpty)
	<-done
	// Output:
	// ran on the loop
}
