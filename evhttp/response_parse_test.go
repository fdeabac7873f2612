package evhttp

import (
	"errors"
	"strings"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

// respFeed parses a response head from in, all at once or one byte at a
// time, and returns the status, the error and what is left in the buffer
// (for a byte-by-byte feed, only what was fed).
func respFeed(p *responseParser, in string, byteByByte bool) (ParseStatus, error, string) {
	var buf evbuffer.Buffer
	var st ParseStatus
	var err error
	if byteByByte {
		for i := 0; i < len(in); i++ {
			buf.AddString(in[i : i+1])
			if st, err = p.parse(&buf); st != NeedMore {
				break
			}
		}
	} else {
		buf.AddString(in)
		st, err = p.parse(&buf)
	}
	rest, _ := buf.Pullup(-1)
	return st, err, string(rest)
}

func TestResponseParser(t *testing.T) {
	for _, tc := range []struct {
		in     string
		st     ParseStatus
		err    error
		code   int
		minor  int
		reason string
		fields int
	}{
		{"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", AllRead, nil, 200, 1, "OK", 1},
		{"HTTP/1.0 404 Not Found\r\n\r\n", AllRead, nil, 404, 0, "Not Found", 0},
		{"HTTP/1.1 200\r\n\r\n", AllRead, nil, 200, 1, "", 0},
		{"HTTP/1.1 200 \r\n\r\n", AllRead, nil, 200, 1, "", 0},
		{"HTTP/1.1 599 Custom reason\twith tab\r\n\r\n", AllRead, nil, 599, 1, "Custom reason\twith tab", 0},
		{"HTTP/1.2 200 OK\r\n\r\n", AllRead, nil, 200, 1, "OK", 0},
		{"HTTP/1.1 999 \xff obs-text\r\n\r\n", AllRead, nil, 999, 1, "\xff obs-text", 0},
		{"HTTP/1.1 200 OK\r\nA: 1\r\nB:2\r\nC:  3  \r\n\r\n", AllRead, nil, 200, 1, "OK", 3},
		{"HTTP/1.1 200 OK\r\n", NeedMore, nil, 0, 0, "", 0},
		{"HTTP/1.1 2", NeedMore, nil, 0, 0, "", 0},

		{"HTTP/1.1 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"HTTP/2.0 200 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"HTTP/1.1  200 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"HTTP/1.1 20 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"HTTP/1.1 2000 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"HTTP/1.1 099 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"HTTP/1.1 -20 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"http/1.1 200 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"HTTP/1.1 200 O\x01K\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"ICY 200 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"\r\nHTTP/1.1 200 OK\r\n\r\n", Corrupt, ErrStatusLine, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\n\n", Corrupt, ErrLineEnding, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\nA: 1\n\r\n", Corrupt, ErrLineEnding, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\nA: \r1\r\n\r\n", Corrupt, ErrLineEnding, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\nA: 1\x00\r\n\r\n", Corrupt, ErrLineEnding, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\nA: 1\r\n b\r\n\r\n", Corrupt, ErrObsFold, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\nA : 1\r\n\r\n", Corrupt, ErrHeaderName, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", Corrupt, ErrHeaderName, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\n: empty\r\n\r\n", Corrupt, ErrHeaderName, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\nA: \x7f\r\n\r\n", Corrupt, ErrHeaderValue, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\nA: " + strings.Repeat("x", 300) + "\r\n\r\n", TooLong, ErrHeaderTooLarge, 0, 0, "", 0},
		{"HTTP/1.1 200 OK\r\n" + strings.Repeat("A: 1\r\n", 11) + "\r\n", TooLong, ErrTooManyHeaders, 0, 0, "", 0},
		{"HTTP/1.1 200 " + strings.Repeat("r", 300) + "\r\n\r\n", TooLong, ErrHeaderTooLarge, 0, 0, "", 0},
	} {
		for _, bb := range []bool{false, true} {
			p := responseParser{maxHeaderBytes: 256, maxHeaders: 10}
			st, err, _ := respFeed(&p, tc.in, bb)
			if st != tc.st || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Errorf("%q (byte by byte %v): %v %v, want %v %v", tc.in, bb, st, err, tc.st, tc.err)
				continue
			}
			if st != AllRead {
				continue
			}
			if p.code != tc.code || p.minor != tc.minor || p.reason != tc.reason || p.header.Len() != tc.fields {
				t.Errorf("%q: code %d minor %d reason %q fields %d", tc.in, p.code, p.minor, p.reason, p.header.Len())
			}
			// Sticky until reset.
			var empty evbuffer.Buffer
			if st2, _ := p.parse(&empty); st2 != st {
				t.Errorf("%q: not sticky: %v", tc.in, st2)
			}
		}
	}
}

func TestResponseParserLeavesBody(t *testing.T) {
	var p responseParser
	st, err, rest := respFeed(&p, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1", false)
	if st != AllRead || err != nil || rest != "abcHTTP/1.1" {
		t.Fatalf("%v %v rest %q", st, err, rest)
	}
	p.reset()
	if p.header.Len() != 0 || p.code != 0 {
		t.Fatal("reset kept the previous response")
	}
}

func TestDecideResponseFraming(t *testing.T) {
	for _, tc := range []struct {
		method  string
		code    int
		headers string // "Name: value" lines joined by "|"
		minor   int
		upgrade bool
		fr      respFraming
		n       int64
		err     error
	}{
		{"GET", 200, "Content-Length: 5", 1, false, respLength, 5, nil},
		{"GET", 200, "Content-Length: 0", 1, false, respLength, 0, nil},
		{"GET", 200, "Transfer-Encoding: chunked", 1, false, respChunked, 0, nil},
		{"GET", 200, "Transfer-Encoding: CHUNKED", 1, false, respChunked, 0, nil},
		{"GET", 200, "", 1, false, respUntilClose, 0, nil},
		{"GET", 200, "", 0, false, respUntilClose, 0, nil},
		{"HEAD", 200, "Content-Length: 5", 1, false, respNone, 0, nil},
		{"HEAD", 200, "Transfer-Encoding: chunked", 1, false, respNone, 0, nil},
		{"GET", 204, "Content-Length: 5", 1, false, respNone, 0, nil},
		{"GET", 304, "Content-Length: 5", 1, false, respNone, 0, nil},
		{"GET", 101, "Upgrade: websocket", 1, true, respTunnel, 0, nil},
		{"CONNECT", 200, "", 1, false, respTunnel, 0, nil},
		{"CONNECT", 407, "Content-Length: 3", 1, false, respLength, 3, nil},
		{"GET", 200, "Host: a", 1, false, respUntilClose, 0, nil},

		{"GET", 101, "Upgrade: websocket", 1, false, 0, 0, ErrUnexpectedStatus},
		{"GET", 200, "Content-Length: 5|Transfer-Encoding: chunked", 1, false, 0, 0, ErrContentLengthWithTransferEncoding},
		{"HEAD", 200, "Content-Length: 5|Transfer-Encoding: chunked", 1, false, 0, 0, ErrContentLengthWithTransferEncoding},
		{"GET", 200, "Content-Length: 5|Content-Length: 5", 1, false, 0, 0, ErrDuplicateContentLength},
		{"GET", 200, "Content-Length: 5, 5", 1, false, 0, 0, ErrDuplicateContentLength},
		{"GET", 200, "Content-Length: +5", 1, false, 0, 0, ErrContentLength},
		{"GET", 200, "Content-Length: 5 5", 1, false, 0, 0, ErrContentLength},
		{"GET", 200, "Content-Length: 99999999999999999999", 1, false, 0, 0, ErrContentLength},
		{"GET", 200, "Transfer-Encoding: gzip", 1, false, 0, 0, ErrTransferEncoding},
		{"GET", 200, "Transfer-Encoding: chunked, chunked", 1, false, 0, 0, ErrTransferEncoding},
		{"GET", 200, "Transfer-Encoding: gzip, chunked", 1, false, 0, 0, ErrUnsupportedTransferCoding},
		{"GET", 200, "Transfer-Encoding: chunked", 0, false, 0, 0, ErrTransferEncodingHTTP10},
	} {
		var h Header
		if tc.headers != "" {
			for _, f := range strings.Split(tc.headers, "|") {
				name, value, _ := strings.Cut(f, ": ")
				h.Add(name, value)
			}
		}
		fr, n, err := decideResponseFraming(tc.method, tc.code, &h, tc.minor, tc.upgrade)
		if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) || err == nil && (fr != tc.fr || n != tc.n) {
			t.Errorf("%s %d %q: %v %d %v, want %v %d %v", tc.method, tc.code, tc.headers, fr, n, err, tc.fr, tc.n, tc.err)
		}
	}
}

func TestResponseKeepAlive(t *testing.T) {
	for _, tc := range []struct {
		minor int
		conn  string
		fr    respFraming
		want  bool
	}{
		{1, "", respLength, true},
		{1, "close", respLength, false},
		{1, "Keep-Alive, Close", respChunked, false},
		{0, "", respLength, false},
		{0, "keep-alive", respLength, true},
		{1, "", respUntilClose, false},
		{1, "", respTunnel, false},
	} {
		var h Header
		if tc.conn != "" {
			h.Add("Connection", tc.conn)
		}
		if got := responseKeepAlive(tc.minor, &h, tc.fr); got != tc.want {
			t.Errorf("HTTP/1.%d Connection %q %v: %v", tc.minor, tc.conn, tc.fr, got)
		}
	}
}

func TestResponseBody(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fr    respFraming
		n     int64
		limit int64
		in    string
		eof   bool
		st    ParseStatus
		err   error
		body  string
		rest  string
	}{
		{"length", respLength, 3, 0, "abcdef", false, AllRead, nil, "abc", "def"},
		{"length short", respLength, 5, 0, "abc", false, NeedMore, nil, "abc", ""},
		{"length cut", respLength, 5, 0, "abc", true, Corrupt, ErrEOF, "abc", ""},
		{"length over limit", respLength, 50, 10, "abc", false, TooLong, ErrBodyTooLarge, "", "abc"},
		{"chunked", respChunked, 0, 0, "3\r\nabc\r\n0\r\n\r\nnext", false, AllRead, nil, "abc", "next"},
		{"chunked over limit", respChunked, 0, 2, "3\r\nabc\r\n0\r\n\r\n", false, TooLong, ErrBodyTooLarge, "", "abc\r\n0\r\n\r\n"},
		{"chunked cut", respChunked, 0, 0, "3\r\nab", true, Corrupt, ErrEOF, "ab", ""},
		{"chunked bad", respChunked, 0, 0, "3\r\nabcd\r\n", false, Corrupt, ErrChunkEnd, "abc", "d\r\n"},
		{"until close", respUntilClose, 0, 0, "abc", false, NeedMore, nil, "abc", ""},
		{"until close ends", respUntilClose, 0, 0, "abc", true, AllRead, nil, "abc", ""},
		{"until close over limit", respUntilClose, 0, 2, "abc", false, TooLong, ErrBodyTooLarge, "", "abc"},
		{"none", respNone, 0, 0, "HTTP/1.1", false, AllRead, nil, "", "HTTP/1.1"},
		{"tunnel", respTunnel, 0, 0, "raw", false, AllRead, nil, "", "raw"},
	} {
		var b responseBody
		b.start(tc.fr, tc.n, tc.limit)
		var src, dst evbuffer.Buffer
		src.AddString(tc.in)
		st, err := b.read(&src, &dst, tc.eof)
		body, _ := dst.Pullup(-1)
		rest, _ := src.Pullup(-1)
		if st != tc.st || !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) || string(body) != tc.body || string(rest) != tc.rest {
			t.Errorf("%s: %v %v body %q rest %q", tc.name, st, err, body, rest)
		}
	}
}
