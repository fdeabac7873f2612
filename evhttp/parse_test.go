package evhttp

import (
	"errors"
	"strings"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

// feed runs p over input, whole (step 0) or in pieces of step bytes, and
// returns the final status, error and the bytes left in the buffer.
func feed(p *requestParser, input string, step int) (ParseStatus, error, int) {
	var buf evbuffer.Buffer
	if step <= 0 {
		step = len(input) + 1
	}
	st, err := NeedMore, error(nil)
	for i := 0; i < len(input); i += step {
		end := min(i+step, len(input))
		buf.AddString(input[i:end])
		st, err = p.parse(&buf)
		if st != NeedMore {
			// Feed the rest so the leftover count is comparable.
			if end < len(input) {
				buf.AddString(input[end:])
			}
			break
		}
	}
	if len(input) == 0 {
		st, err = p.parse(&buf)
	}
	return st, err, buf.Len()
}

type reqCase struct {
	name    string
	in      string
	st      ParseStatus
	err     error
	method  string
	target  string
	form    targetForm
	framing bodyFraming
	hdr     map[string]string
	left    int
	limits  [3]int // maxRequestLine, maxHeaderBytes, maxHeaders
}

func TestRequestParser(t *testing.T) {
	none := bodyFraming{kind: framingNone}
	long := strings.Repeat("a", 100)
	cases := []reqCase{
		{name: "simple", in: "GET / HTTP/1.1\r\nHost: x\r\n\r\n", st: AllRead, method: "GET", target: "/", framing: none, hdr: map[string]string{"host": "x"}},
		{name: "http10 no host", in: "GET /a?b=c HTTP/1.0\r\n\r\n", st: AllRead, method: "GET", target: "/a?b=c", framing: none},
		{name: "leading empty line", in: "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", st: AllRead, method: "GET", target: "/", framing: none},
		{name: "too many empty lines", in: strings.Repeat("\r\n", 9) + "GET / HTTP/1.1\r\n", st: Corrupt, err: ErrRequestLine},
		{name: "ows trimmed, case kept", in: "GET / HTTP/1.1\r\nhOsT:  \t x y \t\r\nX-Empty:\r\n\r\n", st: AllRead, method: "GET", target: "/", framing: none, hdr: map[string]string{"Host": "x y", "x-empty": ""}},
		{name: "obs-text value", in: "GET / HTTP/1.1\r\nHost: x\r\nX: caf\xc3\xa9\r\n\r\n", st: AllRead, method: "GET", target: "/", framing: none, hdr: map[string]string{"x": "caf\xc3\xa9"}},
		{name: "body left", in: "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", st: AllRead, method: "POST", target: "/p", framing: bodyFraming{framingLength, 5}, left: 5},
		{name: "chunked", in: "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n", st: AllRead, method: "POST", target: "/p", framing: bodyFraming{kind: framingChunked}},
		{name: "chunked list empty elems", in: "POST /p HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ,chunked,\r\n\r\n", st: AllRead, method: "POST", target: "/p", framing: bodyFraming{kind: framingChunked}},
		{name: "absolute-form", in: "GET http://example.com/x?y HTTP/1.1\r\nHost: example.com\r\n\r\n", st: AllRead, method: "GET", target: "http://example.com/x?y", form: formAbsolute, framing: none},
		{name: "connect authority", in: "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", st: AllRead, method: "CONNECT", target: "example.com:443", form: formAuthority, framing: none},
		{name: "connect ipv6", in: "CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n", st: AllRead, method: "CONNECT", target: "[::1]:443", form: formAuthority, framing: none},
		{name: "connect origin-form", in: "CONNECT / HTTP/1.1\r\nHost: x\r\n\r\n", st: Corrupt, err: ErrTarget},
		{name: "connect no port", in: "CONNECT example.com HTTP/1.1\r\nHost: x\r\n\r\n", st: Corrupt, err: ErrTarget},
		{name: "connect userinfo", in: "CONNECT u@h:1 HTTP/1.1\r\nHost: x\r\n\r\n", st: Corrupt, err: ErrTarget},
		{name: "options asterisk", in: "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", st: AllRead, method: "OPTIONS", target: "*", form: formAsterisk, framing: none},
		{name: "get asterisk", in: "GET * HTTP/1.1\r\nHost: x\r\n\r\n", st: Corrupt, err: ErrTarget},
		{name: "extension method", in: "PROPFIND /d HTTP/1.1\r\nHost: x\r\n\r\n", st: AllRead, method: "PROPFIND", target: "/d", framing: none},
		{name: "bad method char", in: "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", st: Corrupt, err: ErrMethod},
		{name: "empty method", in: " / HTTP/1.1\r\n", st: Corrupt, err: ErrMethod},
		{name: "target fragment", in: "GET /a#b HTTP/1.1\r\n", st: Corrupt, err: ErrTarget},
		{name: "target high byte", in: "GET /\xff HTTP/1.1\r\n", st: Corrupt, err: ErrTarget},
		{name: "target relative", in: "GET a/b HTTP/1.1\r\n", st: Corrupt, err: ErrTarget},
		{name: "double space", in: "GET  / HTTP/1.1\r\n", st: Corrupt, err: ErrRequestLine},
		{name: "trailing space", in: "GET / HTTP/1.1 \r\n", st: Corrupt, err: ErrRequestLine},
		{name: "space in target", in: "GET /a b HTTP/1.1\r\n", st: Corrupt, err: ErrRequestLine},
		{name: "no version", in: "GET /\r\n", st: Corrupt, err: ErrRequestLine},
		{name: "version lowercase", in: "GET / http/1.1\r\n", st: Corrupt, err: ErrVersion},
		{name: "version garbage", in: "GET / HTTP/1.1x\r\n", st: Corrupt, err: ErrVersion},
		{name: "version 1.2", in: "GET / HTTP/1.2\r\nHost: x\r\n\r\n", st: Corrupt, err: ErrUnsupportedVersion},
		{name: "version 2.0", in: "GET / HTTP/2.0\r\n", st: Corrupt, err: ErrUnsupportedVersion},
		{name: "version 0.9", in: "GET / HTTP/0.9\r\n", st: Corrupt, err: ErrUnsupportedVersion},
		{name: "version two digits", in: "GET / HTTP/1.10\r\n", st: Corrupt, err: ErrVersion},
		{name: "bare LF request line", in: "GET / HTTP/1.1\nHost: x\r\n\r\n", st: Corrupt, err: ErrLineEnding},
		{name: "bare LF header", in: "GET / HTTP/1.1\r\nHost: x\n\r\n", st: Corrupt, err: ErrLineEnding},
		{name: "bare CR request line", in: "GET /\r HTTP/1.1\r\n", st: Corrupt, err: ErrLineEnding},
		{name: "bare CR header", in: "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", st: Corrupt, err: ErrLineEnding},
		{name: "NUL request line", in: "GET /\x00 HTTP/1.1\r\n", st: Corrupt, err: ErrLineEnding},
		{name: "NUL header", in: "GET / HTTP/1.1\r\nHost: a\x00\r\n\r\n", st: Corrupt, err: ErrLineEnding},
		{name: "ctl in value", in: "GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", st: Corrupt, err: ErrHeaderValue},
		{name: "DEL in value", in: "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n", st: Corrupt, err: ErrHeaderValue},
		{name: "space before colon", in: "GET / HTTP/1.1\r\nHost : x\r\n\r\n", st: Corrupt, err: ErrHeaderName},
		{name: "tab before colon", in: "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", st: Corrupt, err: ErrHeaderName},
		{name: "no colon", in: "GET / HTTP/1.1\r\nHost x\r\n\r\n", st: Corrupt, err: ErrHeaderName},
		{name: "empty name", in: "GET / HTTP/1.1\r\n: x\r\n\r\n", st: Corrupt, err: ErrHeaderName},
		{name: "bad name char", in: "GET / HTTP/1.1\r\nHo(st: x\r\n\r\n", st: Corrupt, err: ErrHeaderName},
		{name: "obs-fold", in: "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", st: Corrupt, err: ErrObsFold},
		{name: "first header whitespace", in: "GET / HTTP/1.1\r\n\tHost: x\r\n\r\n", st: Corrupt, err: ErrObsFold},
		// Smuggling shapes.
		{name: "CL and TE", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", st: Corrupt, err: ErrContentLengthWithTransferEncoding},
		{name: "TE and CL", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", st: Corrupt, err: ErrContentLengthWithTransferEncoding},
		{name: "TE not chunked", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", st: Corrupt, err: ErrTransferEncoding},
		{name: "TE chunked not final", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", st: Corrupt, err: ErrTransferEncoding},
		{name: "TE chunked not final split", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", st: Corrupt, err: ErrTransferEncoding},
		{name: "TE chunked twice", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", st: Corrupt, err: ErrTransferEncoding},
		{name: "TE gzip chunked", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", st: Corrupt, err: ErrUnsupportedTransferCoding},
		{name: "TE chunked junk", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n", st: Corrupt, err: ErrTransferEncoding},
		{name: "TE quoted", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \"chunked\"\r\n\r\n", st: Corrupt, err: ErrTransferEncoding},
		{name: "TE empty", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \r\n\r\n", st: Corrupt, err: ErrTransferEncoding},
		{name: "TE vertical tab", in: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \x0bchunked\r\n\r\n", st: Corrupt, err: ErrHeaderValue},
		{name: "TE http10", in: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", st: Corrupt, err: ErrTransferEncodingHTTP10},
		{name: "CL duplicate equal", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", st: Corrupt, err: ErrDuplicateContentLength},
		{name: "CL list equal", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\n\r\n", st: Corrupt, err: ErrDuplicateContentLength},
		{name: "CL differing", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", st: Corrupt, err: ErrDuplicateContentLength},
		{name: "CL negative", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", st: Corrupt, err: ErrContentLength},
		{name: "CL plus", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n", st: Corrupt, err: ErrContentLength},
		{name: "CL hex", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x5\r\n\r\n", st: Corrupt, err: ErrContentLength},
		{name: "CL empty", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length:\r\n\r\n", st: Corrupt, err: ErrContentLength},
		{name: "CL inner space", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n", st: Corrupt, err: ErrContentLength},
		{name: "CL overflow", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n", st: Corrupt, err: ErrContentLength},
		{name: "CL max", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4611686018427387904\r\n\r\n", st: AllRead, method: "POST", target: "/", framing: bodyFraming{framingLength, 1 << 62}},
		{name: "CL zero", in: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 000\r\n\r\n", st: AllRead, method: "POST", target: "/", framing: bodyFraming{framingLength, 0}},
		{name: "host missing", in: "GET / HTTP/1.1\r\n\r\n", st: AllRead, err: ErrMissingHost, method: "GET", target: "/", framing: none},
		{name: "host duplicate", in: "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", st: Corrupt, err: ErrDuplicateHost},
		{name: "host empty ok", in: "GET / HTTP/1.1\r\nHost:\r\n\r\n", st: AllRead, method: "GET", target: "/", framing: none},
		// Limits: request line of exactly 16 bytes ("GET /aaaaaa HTTP/1.1" is 20).
		{name: "line at limit", in: "GET /aaaaaa HTTP/1.1\r\nHost: x\r\n\r\n", st: AllRead, method: "GET", target: "/aaaaaa", framing: none, limits: [3]int{20, 0, 0}},
		{name: "line one over", in: "GET /aaaaaaa HTTP/1.1\r\nHost: x\r\n\r\n", st: TooLong, err: ErrRequestLineTooLong, limits: [3]int{20, 0, 0}},
		{name: "line no LF over", in: "GET /" + long, st: TooLong, err: ErrRequestLineTooLong, limits: [3]int{20, 0, 0}},
		// Header section "Host: x\r\n\r\n" is 11 bytes.
		{name: "headers at limit", in: "GET / HTTP/1.1\r\nHost: x\r\n\r\n", st: AllRead, method: "GET", target: "/", framing: none, limits: [3]int{0, 11, 0}},
		{name: "headers one over", in: "GET / HTTP/1.1\r\nHost: xy\r\n\r\n", st: TooLong, err: ErrHeaderTooLarge, limits: [3]int{0, 11, 0}},
		{name: "headers no LF over", in: "GET / HTTP/1.1\r\nX: " + long, st: TooLong, err: ErrHeaderTooLarge, limits: [3]int{0, 11, 0}},
		{name: "count at limit", in: "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\n\r\n", st: AllRead, method: "GET", target: "/", framing: none, limits: [3]int{0, 0, 2}},
		{name: "count one over", in: "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", st: TooLong, err: ErrTooManyHeaders, limits: [3]int{0, 0, 2}},
		{name: "incomplete", in: "GET / HTTP/1.1\r\nHost: x\r\n", st: NeedMore, left: 0},
		{name: "incomplete line", in: "GET / HTT", st: NeedMore, left: 9},
		{name: "pipelined", in: "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\n", st: AllRead, method: "GET", target: "/", framing: none, left: 17},
	}
	for _, c := range cases {
		for _, step := range []int{0, 1, 7} {
			var p requestParser
			p.maxRequestLine, p.maxHeaderBytes, p.maxHeaders = c.limits[0], c.limits[1], c.limits[2]
			st, err, left := feed(&p, c.in, step)
			if st != c.st {
				t.Errorf("%s/step%d: status %v (%v), want %v", c.name, step, st, err, c.st)
				continue
			}
			if c.err == nil && err != nil || c.err != nil && !errors.Is(err, c.err) {
				t.Errorf("%s/step%d: err %v, want %v", c.name, step, err, c.err)
			}
			if st != AllRead {
				if st == NeedMore && left != c.left {
					t.Errorf("%s/step%d: left %d, want %d", c.name, step, left, c.left)
				}
				continue
			}
			if p.method != c.method || p.target != c.target || p.form != c.form || p.framing != c.framing || left != c.left {
				t.Errorf("%s/step%d: got %q %q %v %+v left %d, want %q %q %v %+v left %d", c.name, step,
					p.method, p.target, p.form, p.framing, left, c.method, c.target, c.form, c.framing, c.left)
			}
			for k, v := range c.hdr {
				if !p.header.Has(k) || p.header.Get(k) != v {
					t.Errorf("%s/step%d: header %q = %q, want %q", c.name, step, k, p.header.Get(k), v)
				}
			}
		}
	}
}

func TestParserStickyAndReset(t *testing.T) {
	var p requestParser
	var buf evbuffer.Buffer
	buf.AddString("GET / HTTP/1.1\r\nHost: a\r\n\r\nPUT /x HTTP/1.0\r\n\r\n")
	if st, err := p.parse(&buf); st != AllRead || err != nil {
		t.Fatal(st, err)
	}
	if st, _ := p.parse(&buf); st != AllRead || p.target != "/" {
		t.Fatal("not sticky", st)
	}
	p.reset()
	if st, err := p.parse(&buf); st != AllRead || err != nil || p.method != "PUT" || p.minor != 0 || p.header.Len() != 0 {
		t.Fatal(st, err, p.method)
	}
}

func TestHeader(t *testing.T) {
	var h Header
	h.Add("X-A", "1")
	h.Add("Host", "h")
	h.Add("x-a", "2")
	if h.Get("X-a") != "1" || h.Len() != 3 {
		t.Fatal(h.String())
	}
	if vs := h.Values("X-A"); len(vs) != 2 || vs[1] != "2" {
		t.Fatal(vs)
	}
	h.Set("X-A", "3")
	if vs := h.Values("x-a"); len(vs) != 1 || vs[0] != "3" || h.Len() != 2 {
		t.Fatal(vs, h.String())
	}
	var names []string
	h.Range(func(n, v string) bool { names = append(names, n); return true })
	if strings.Join(names, ",") != "X-A,Host" {
		t.Fatal(names)
	}
	h.Del("HOST")
	if h.Has("host") || h.Len() != 1 || h.Get("missing") != "" {
		t.Fatal(h.String())
	}
	h.Set("New", "v")
	if h.Get("new") != "v" {
		t.Fatal(h.String())
	}
	h.Reset()
	if h.Len() != 0 {
		t.Fatal("reset")
	}
	if equalFold([]byte("a"), "ab") || !equalFold([]byte("Content-LENGTH"), "content-length") || equalFold([]byte("["), "{") {
		t.Fatal("equalFold")
	}
}

func TestStrings(t *testing.T) {
	if AllRead.String() != "AllRead" || TooLong.String() != "TooLong" || ParseStatus(0).String() != "ParseStatus(0)" {
		t.Fatal("ParseStatus.String")
	}
	if framingChunked.String() != "chunked" || formAsterisk.String() != "asterisk-form" || stateDone.String() != "Done" || chunkTrailer.String() != "Trailer" {
		t.Fatal("String")
	}
}

const benchRequest = "GET /index.html?q=search+terms HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101\r\n" +
	"Accept: text/html,application/xhtml+xml\r\n" +
	"Accept-Language: en-US,en;q=0.5\r\n" +
	"Accept-Encoding: gzip, deflate\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=0123456789abcdef\r\n\r\n"

func BenchmarkParseRequest(b *testing.B) {
	var p requestParser
	var buf evbuffer.Buffer
	b.SetBytes(int64(len(benchRequest)))
	b.ReportAllocs()
	for b.Loop() {
		p.reset()
		buf.AddString(benchRequest)
		if st, err := p.parse(&buf); st != AllRead || err != nil {
			b.Fatal(st, err)
		}
	}
}
