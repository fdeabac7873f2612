package evhttp

import (
	"errors"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

func feedChunked(d *chunkedDecoder, in string, step, limit int) (ParseStatus, error, string, int) {
	var src, dst evbuffer.Buffer
	if step <= 0 {
		step = len(in) + 1
	}
	st, err := NeedMore, error(nil)
	for i := 0; i < len(in); i += step {
		end := min(i+step, len(in))
		src.AddString(in[i:end])
		st, err = d.decode(&src, &dst, limit)
		if st != NeedMore {
			src.AddString(in[end:])
			break
		}
	}
	out := make([]byte, dst.Len())
	dst.CopyOut(out)
	return st, err, string(out), src.Len()
}

func TestChunkedDecoder(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		limit   int
		st      ParseStatus
		err     error
		body    string
		trailer map[string]string
		left    int
	}{
		{name: "simple", in: "5\r\nhello\r\n0\r\n\r\n", st: AllRead, body: "hello"},
		{name: "two chunks", in: "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\nNEXT", st: AllRead, body: "abc0123456789", left: 4},
		{name: "extensions", in: "5;a=b;c=\"x;y\"\r\nhello\r\n0 ; last\r\n\r\n", st: AllRead, body: "hello"},
		{name: "trailers", in: "1\r\nx\r\n0\r\nX-Sum: abc\r\nY:  z \r\n\r\n", st: AllRead, body: "x", trailer: map[string]string{"x-sum": "abc", "y": "z"}},
		{name: "leading zeros", in: "0005\r\nhello\r\n0\r\n\r\n", st: AllRead, body: "hello"},
		{name: "0x prefix", in: "0x5\r\nhello\r\n0\r\n\r\n", st: Corrupt, err: ErrChunkSize},
		{name: "leading space", in: " 5\r\nhello\r\n", st: Corrupt, err: ErrChunkSize},
		{name: "trailing space", in: "5 \r\nhello\r\n", st: Corrupt, err: ErrChunkSize},
		{name: "negative", in: "-5\r\n", st: Corrupt, err: ErrChunkSize},
		{name: "empty size", in: "\r\n", st: Corrupt, err: ErrChunkSize},
		{name: "ext ctl", in: "5;a\x01\r\nhello\r\n", st: Corrupt, err: ErrChunkExtension},
		{name: "ext no name", in: "5;\r\nhello\r\n", st: Corrupt, err: ErrChunkExtension},
		{name: "ext unterminated quote", in: "5;a=\"x\r\nhello\r\n", st: Corrupt, err: ErrChunkExtension},
		{name: "overflow", in: "10000000000000000\r\n", st: TooLong, err: ErrBodyTooLarge},
		{name: "over 1<<62", in: "4000000000000001\r\n", st: TooLong, err: ErrBodyTooLarge},
		{name: "over limit", in: "5\r\nhello\r\n6\r\n", limit: 10, st: TooLong, err: ErrBodyTooLarge, body: "hello"},
		{name: "at limit", in: "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", limit: 10, st: AllRead, body: "helloworld"},
		{name: "missing CRLF", in: "5\r\nhelloX\r\n", st: Corrupt, err: ErrChunkEnd, body: "hello"},
		{name: "LF only after data", in: "5\r\nhello\n0\r\n\r\n", st: Corrupt, err: ErrChunkEnd, body: "hello"},
		{name: "bare LF size", in: "5\nhello\r\n", st: Corrupt, err: ErrLineEnding},
		{name: "truncated size", in: "5", st: NeedMore, left: 1},
		{name: "truncated data", in: "5\r\nhel", st: NeedMore, body: "hel"},
		{name: "truncated trailer", in: "0\r\nX: y\r\n", st: NeedMore},
		{name: "trailer obs-fold", in: "0\r\nX: y\r\n z\r\n\r\n", st: Corrupt, err: ErrObsFold},
		{name: "trailer bad name", in: "0\r\nX y: z\r\n\r\n", st: Corrupt, err: ErrHeaderName},
		{name: "trailer NUL", in: "0\r\nX: \x00\r\n\r\n", st: Corrupt, err: ErrLineEnding},
	}
	for _, c := range cases {
		for _, step := range []int{0, 1, 3} {
			var d chunkedDecoder
			st, err, body, left := feedChunked(&d, c.in, step, c.limit)
			if st != c.st || (c.err == nil) != (err == nil) || c.err != nil && !errors.Is(err, c.err) {
				t.Errorf("%s/step%d: %v %v, want %v %v", c.name, step, st, err, c.st, c.err)
				continue
			}
			if body != c.body {
				t.Errorf("%s/step%d: body %q, want %q", c.name, step, body, c.body)
			}
			if (st == AllRead || st == NeedMore) && left != c.left {
				t.Errorf("%s/step%d: left %d, want %d", c.name, step, left, c.left)
			}
			for k, v := range c.trailer {
				if d.trailer.Get(k) != v {
					t.Errorf("%s/step%d: trailer %s=%q, want %q", c.name, step, k, d.trailer.Get(k), v)
				}
			}
		}
	}
}
