package core

import "github.com/goevent/goevent/internal/sys"

// threadID identifies the caller's OS thread (on Linux) or goroutine.
func threadID() int64 { return sys.ThreadID() }
