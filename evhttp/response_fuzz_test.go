package evhttp

import (
	"bytes"
	"errors"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

// respFuzzOutcome is what parsing one response (head and body) gave.
type respFuzzOutcome struct {
	st      ParseStatus
	err     error
	code    int
	framing respFraming
	body    []byte
	trailer string
}

// respFuzzParse parses a response to method from data, fed in pieces of
// step bytes (0: all at once), then the end of the input, as the client
// does: skipping interim responses, deciding the framing, reading the body.
func respFuzzParse(data []byte, method string, step int) respFuzzOutcome {
	p := responseParser{maxHeaderBytes: 4096, maxHeaders: 32}
	var body responseBody
	var src, dst evbuffer.Buffer
	inBody := false
	interim := 0
	var out respFuzzOutcome
	feed := func(eof bool) bool { // true: final
		for {
			if !inBody {
				st, err := p.parse(&src)
				if st == NeedMore {
					if eof {
						out.st, out.err = Corrupt, ErrEOF
						return true
					}
					return false
				}
				if st != AllRead {
					out.st, out.err = st, err
					return true
				}
				if isInterim(p.code) {
					if interim++; interim > maxInterimResponses {
						out.st, out.err = Corrupt, ErrUnexpectedStatus
						return true
					}
					p.reset()
					continue
				}
				fr, n, err := decideResponseFraming(method, p.code, &p.header, p.minor, method == "GET")
				if err != nil {
					out.st, out.err = Corrupt, err
					return true
				}
				out.code, out.framing = p.code, fr
				body.start(fr, n, 1<<16)
				inBody = true
			}
			st, err := body.read(&src, &dst, eof)
			if st == NeedMore {
				return false
			}
			out.st, out.err = st, err
			b, _ := dst.Pullup(-1)
			out.body = append([]byte(nil), b...)
			out.trailer = body.trailer().String()
			return true
		}
	}
	if step <= 0 {
		step = len(data) + 1
	}
	for i := 0; i < len(data); i += step {
		src.Add(data[i:min(i+step, len(data))])
		if feed(false) {
			return out
		}
	}
	feed(true)
	return out
}

func FuzzResponseParser(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n0\r\nT: 1\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil close",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early\r\nLink: <a>\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\nraw",
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
		"HTTP/1.1 200\r\n\r\n",
		"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n",
		"HTTP/1.1 200 OK\nX: y\n\n",
	} {
		f.Add([]byte(s), byte(0), byte(3))
	}
	methods := []string{"GET", "HEAD", "CONNECT", "POST"}
	f.Fuzz(func(t *testing.T, data []byte, m, step byte) {
		method := methods[int(m)%len(methods)]
		whole := respFuzzParse(data, method, 0)
		split := respFuzzParse(data, method, int(step%16)+1)
		// Feeding in pieces must not change the outcome.
		if whole.st != split.st || whole.code != split.code || whole.framing != split.framing ||
			!bytes.Equal(whole.body, split.body) || whole.trailer != split.trailer ||
			(whole.err == nil) != (split.err == nil) {
			t.Fatalf("whole %+v\nsplit %+v", whole, split)
		}
		switch whole.st {
		case AllRead:
			if whole.err != nil {
				t.Fatalf("AllRead with %v", whole.err)
			}
			if whole.code < 100 || whole.code > 999 || isInterim(whole.code) {
				t.Fatalf("final status %d", whole.code)
			}
			if (whole.framing == respNone || whole.framing == respTunnel) && len(whole.body) != 0 {
				t.Fatalf("%v response with a body", whole.framing)
			}
			if len(whole.body) > 1<<16 {
				t.Fatalf("body of %d bytes beyond the limit", len(whole.body))
			}
		case Corrupt, TooLong:
			if whole.err == nil {
				t.Fatalf("%v without an error", whole.st)
			}
		default:
			t.Fatalf("status %v after the end of input", whole.st)
		}
		// Errors are always one of the documented sentinels.
		if whole.err != nil {
			known := false
			for _, e := range []error{ErrStatusLine, ErrUnexpectedStatus, ErrEOF, ErrLineEnding, ErrObsFold,
				ErrHeaderName, ErrHeaderValue, ErrHeaderTooLarge, ErrTooManyHeaders, ErrContentLength,
				ErrDuplicateContentLength, ErrContentLengthWithTransferEncoding, ErrTransferEncoding,
				ErrUnsupportedTransferCoding, ErrTransferEncodingHTTP10, ErrDuplicateHost, ErrChunkSize,
				ErrChunkExtension, ErrChunkEnd, ErrBodyTooLarge, ErrBuffer} {
				if errors.Is(whole.err, e) {
					known = true
					break
				}
			}
			if !known {
				t.Fatalf("undocumented error %v", whole.err)
			}
		}
	})
}
