package evhttp

import (
	"strconv"
	"strings"

	"github.com/goevent/goevent/evbuffer"
	"github.com/goevent/goevent/filters"
)

// DefaultCompressTypes are the media types CompressConfig compresses when
// its Types is empty: text, and the structured formats that compress well.
var DefaultCompressTypes = []string{
	"text/*",
	"application/json", "application/javascript", "application/xml",
	"application/xhtml+xml", "application/rss+xml", "application/atom+xml",
	"application/wasm", "application/x-javascript", "image/svg+xml",
}

// Default sizes of CompressConfig.
const (
	DefaultCompressMinSize = 1024
	DefaultCompressMaxSize = 8 << 20
)

// CompressConfig turns on compressed replies (Content-Encoding gzip, or
// zstd for clients that prefer it): for a Server through Config.Compress,
// for a route through RouteOptions.Compress. A reply is compressed when
// the client accepts an encoding, its status is 200–203, it is not a HEAD
// reply or a range (206, Content-Range), it has no Content-Encoding and no
// "Cache-Control: no-transform", its Content-Type is one of Types, and a
// whole reply (SendReply) is at least MinSize bytes; a streamed reply
// (SendReplyStart) is compressed chunk by chunk unless the handler set its
// Content-Length. A whole reply larger than MaxSize is sent as it is. Compressed replies get "Vary: Accept-Encoding" (so do the
// replies that would have been compressed for another client) and a
// strong ETag is weakened ("W/" prefix), since the bytes differ.
type CompressConfig struct {
	// MinSize: smaller whole replies are sent as they are. Default
	// DefaultCompressMinSize; negative: compress any size.
	MinSize int
	// MaxSize: larger whole replies are sent as they are, so that a big
	// file is not compressed into memory at once (stream it with
	// SendReplyStart to compress it chunk by chunk). Default
	// DefaultCompressMaxSize; negative: no limit.
	MaxSize int
	// Types lists media types (no parameters) to compress; "type/*"
	// matches a whole type. Default DefaultCompressTypes.
	Types []string
	// Level is the gzip level (filters.BestSpeed ... BestCompression);
	// default filters.DefaultLevel.
	Level int
	// Zstd offers zstd to clients that accept it with a q-value at least
	// gzip's.
	Zstd bool
}

// CompressMode is a route's choice about compression.
type CompressMode uint8

// Route compression modes.
const (
	CompressDefault CompressMode = iota // as the Server's Config.Compress says
	CompressOn                          // compress (with the Server's CompressConfig, or the defaults)
	CompressOff                         // never compress this route's replies
)

// compressor is a Server's compression state, built in New.
type compressor struct {
	cfg  CompressConfig
	gzip *filters.Pool
	zstd *filters.Pool
}

func newCompressor(cfg *CompressConfig) *compressor {
	c := &compressor{}
	if cfg != nil {
		c.cfg = *cfg
	}
	if c.cfg.MinSize == 0 {
		c.cfg.MinSize = DefaultCompressMinSize
	}
	if c.cfg.MaxSize == 0 {
		c.cfg.MaxSize = DefaultCompressMaxSize
	}
	if len(c.cfg.Types) == 0 {
		c.cfg.Types = DefaultCompressTypes
	}
	if c.cfg.Level == 0 {
		c.cfg.Level = filters.DefaultLevel
	}
	var err error
	if c.gzip, err = filters.NewPool(filters.Gzip, c.cfg.Level); err != nil {
		c.gzip, _ = filters.NewPool(filters.Gzip, filters.DefaultLevel)
	}
	if c.cfg.Zstd {
		c.zstd, _ = filters.NewPool(filters.Zstd, filters.DefaultLevel)
	}
	return c
}

// compressing returns the Server's compressor for r's route, nil when the
// route's replies are not compressed.
func (r *Request) compressing() *compressor {
	s := r.c.srv
	switch r.route.opts.Compress {
	case CompressOff:
		return nil
	case CompressOn:
		if s.comp == nil {
			s.compOnce.Do(func() { s.compDefault = newCompressor(nil) })
			return s.compDefault
		}
	}
	return s.comp
}

// compressible reports whether a reply with this status and the current
// OutputHeaders may be compressed (everything but the client's choice and
// the size).
func (r *Request) compressible(code int, comp *compressor) bool {
	if code < 200 || code > 203 || r.p.method == "HEAD" {
		return false
	}
	h := &r.outHeaders
	if h.Has("Content-Encoding") || h.Has("Content-Range") || h.hasToken("Cache-Control", "no-transform") {
		return false
	}
	ct := h.Get("Content-Type")
	if ct == "" {
		ct = r.c.srv.cfg.DefaultContentType
	}
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	for _, t := range comp.cfg.Types {
		if base, ok := strings.CutSuffix(t, "/*"); ok {
			if len(ct) > len(base) && ct[len(base)] == '/' && strings.EqualFold(ct[:len(base)], base) {
				return true
			}
		} else if strings.EqualFold(ct, t) {
			return true
		}
	}
	return false
}

// chooseEncoding picks the coding for r from its Accept-Encoding: zstd
// when offered and its q-value is at least gzip's, else gzip, else none
// (ok false). "*" stands for the codings not named.
func (r *Request) chooseEncoding(comp *compressor) (filters.Encoding, string, bool) {
	qGzip, qZstd, qAny := -1.0, -1.0, -1.0
	for _, f := range r.p.header.fields {
		if !equalFold(r.p.header.name(f), "Accept-Encoding") {
			continue
		}
		for _, elem := range strings.Split(string(r.p.header.value(f)), ",") {
			coding, params, _ := strings.Cut(elem, ";")
			coding = strings.TrimSpace(coding)
			q := 1.0
			for _, p := range strings.Split(params, ";") {
				k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
				if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && x >= 0 && x <= 1 {
						q = x
					} else {
						q = 0
					}
				}
			}
			switch {
			case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
				qGzip = max(qGzip, q)
			case strings.EqualFold(coding, "zstd"):
				qZstd = max(qZstd, q)
			case coding == "*":
				qAny = max(qAny, q)
			}
		}
	}
	if qGzip < 0 {
		qGzip = qAny
	}
	if qZstd < 0 {
		qZstd = qAny
	}
	if comp.zstd != nil && qZstd > 0 && qZstd >= qGzip {
		return filters.Zstd, "zstd", true
	}
	if qGzip > 0 {
		return filters.Gzip, "gzip", true
	}
	return 0, "", false
}

// markCompressed sets the headers of a reply that varies by
// Accept-Encoding, and of one that is compressed with coding.
func (r *Request) markCompressed(coding string) {
	h := &r.outHeaders
	if !h.hasToken("Vary", "Accept-Encoding") && !h.hasToken("Vary", "*") {
		h.Add("Vary", "Accept-Encoding")
	}
	if coding == "" {
		return
	}
	h.Set("Content-Encoding", coding)
	if et := h.Get("ETag"); strings.HasPrefix(et, "\"") {
		h.Set("ETag", "W/"+et)
	}
	h.Del("Content-Length")
}

// compressWhole compresses r.out in place for SendReply when the reply
// qualifies. It fails only when a file segment of the body cannot be read;
// the body is then lost.
func (r *Request) compressWhole(code int) error {
	comp := r.compressing()
	if comp == nil || !r.compressible(code, comp) {
		return nil
	}
	if comp.cfg.MinSize > 0 && r.out.Len() < comp.cfg.MinSize || comp.cfg.MaxSize > 0 && r.out.Len() > comp.cfg.MaxSize {
		return nil
	}
	enc, coding, ok := r.chooseEncoding(comp)
	if !ok {
		r.markCompressed("")
		return nil
	}
	pool := comp.gzip
	if enc == filters.Zstd {
		pool = comp.zstd
	}
	var z evbuffer.Buffer
	w := pool.Get(&z)
	err := drainInto(w, &r.out)
	if err == nil {
		err = w.Close()
	}
	pool.Put(w)
	if err != nil {
		z.Reset()
		return err
	}
	r.out.AddBuffer(&z)
	r.markCompressed(coding)
	return nil
}

// startStreamCompression sets up chunk compression for SendReplyStart.
func (r *Request) startStreamCompression(code int) {
	comp := r.compressing()
	if comp == nil || !r.compressible(code, comp) || r.outHeaders.Has("Content-Length") {
		return
	}
	enc, coding, ok := r.chooseEncoding(comp)
	if !ok {
		r.markCompressed("")
		return
	}
	r.zpool = comp.gzip
	if enc == filters.Zstd {
		r.zpool = comp.zstd
	}
	r.zw = r.zpool.Get(&r.zbuf)
	r.markCompressed(coding)
}

// compressChunk compresses body in place (a sync flush, so the client can
// decode each chunk as it arrives); last closes the stream.
func (r *Request) compressChunk(body *evbuffer.Buffer, last bool) error {
	if body != nil {
		if err := drainInto(r.zw, body); err != nil {
			return err
		}
	}
	var err error
	if last {
		err = r.zw.Close()
		r.zpool.Put(r.zw)
		r.zw, r.zpool = nil, nil
	} else {
		err = r.zw.Flush()
	}
	return err
}

// drainInto compresses src's bytes into w, draining src as it goes; file
// segments are read into memory 64 KiB at a time.
func drainInto(w filters.Compressor, src *evbuffer.Buffer) error {
	var arr [8][]byte
	for src.Len() > 0 {
		vecs := src.Peek(-1, arr[:0])
		if len(vecs) == 0 {
			b, err := src.Pullup(min(src.Len(), 64<<10))
			if err != nil {
				return err
			}
			vecs = append(vecs, b)
		}
		n := 0
		for _, v := range vecs {
			if _, err := w.Write(v); err != nil {
				return err
			}
			n += len(v)
		}
		if err := src.Drain(n); err != nil {
			return err
		}
	}
	return nil
}
