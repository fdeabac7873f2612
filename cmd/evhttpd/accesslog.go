package main

import (
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/goevent/goevent/evhttp"
)

// accessLog writes one line per request in the combined log format to a
// file that SIGHUP reopens (for log rotation). Every loop writes to it, so
// each line goes out in one write under mu.
type accessLog struct {
	path string // "-" for stdout

	mu sync.Mutex
	w  io.Writer // guarded by mu
	f  *os.File  // guarded by mu; nil for stdout
	b  []byte    // guarded by mu; line buffer
}

// openAccessLog opens path for appending ("-": stdout).
func openAccessLog(path string) (*accessLog, error) {
	l := &accessLog{path: path}
	if path == "-" {
		l.w = os.Stdout
		return l, nil
	}
	f, err := openLogFile(path)
	if err != nil {
		return nil, err
	}
	l.w, l.f = f, f
	return l, nil
}

func openLogFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("access log: %w", err)
	}
	return f, nil
}

// reopen opens the log's path again and switches to it; on failure the
// old file stays in use.
func (l *accessLog) reopen() error {
	if l.path == "-" {
		return nil
	}
	f, err := openLogFile(l.path)
	if err != nil {
		return err
	}
	l.mu.Lock()
	old := l.f
	l.w, l.f = f, f
	l.mu.Unlock()
	return old.Close()
}

// Close closes the log file.
func (l *accessLog) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f, l.w = nil, io.Discard
	return err
}

// entry is what a log line says about a request, taken before the reply
// (a Request must not be read after it is finished).
type entry struct {
	remote    netip.AddrPort
	method    string
	target    string
	minor     int
	referer   string
	userAgent string
}

func newEntry(r *evhttp.Request) entry {
	h := r.InputHeaders()
	return entry{
		remote: r.RemoteAddr(), method: r.Method(), target: r.Target(), minor: r.ProtoMinor(),
		referer: h.Get("Referer"), userAgent: h.Get("User-Agent"),
	}
}

// write logs e answered with code and n body bytes at t:
//
//	127.0.0.1 - - [25/Nov/2026:09:44:51 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8.5"
func (l *accessLog) write(e entry, code int, n int64, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.b[:0]
	if e.remote.IsValid() {
		b = e.remote.Addr().AppendTo(b)
	} else {
		b = append(b, "unix:"...)
	}
	b = append(b, " - - ["...)
	b = t.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, "] \""...)
	b = appendQuoted(b, e.method)
	b = append(b, ' ')
	b = appendQuoted(b, e.target)
	b = append(b, " HTTP/1."...)
	b = strconv.AppendInt(b, int64(e.minor), 10)
	b = append(b, "\" "...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	if n > 0 {
		b = strconv.AppendInt(b, n, 10)
	} else {
		b = append(b, '-')
	}
	b = append(b, " \""...)
	b = appendQuoted(b, orDash(e.referer))
	b = append(b, "\" \""...)
	b = appendQuoted(b, orDash(e.userAgent))
	b = append(b, "\"\n"...)
	l.b = b
	l.w.Write(b) // a full disk must not stop the server
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// appendQuoted appends s with '"', '\\', control bytes and bytes above
// 0x7e escaped as \xHH, so a client cannot forge log lines.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}
