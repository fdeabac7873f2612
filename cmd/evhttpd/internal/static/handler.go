package static

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"mime"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/sendfile"
)

// Config configures a Handler.
type Config struct {
	// Root is the directory served. Required.
	Root string
	// Index lists the file names tried, in order, for a request naming a
	// directory. nil means "index.html"; an empty non-nil slice, none.
	Index []string
	// ListDirs turns on HTML listings of directories without an index
	// file; without it they are answered 403.
	ListDirs bool
	// Logger receives the errors that are the server's fault (500).
	// nil discards them.
	Logger *slog.Logger
	// CacheValid turns on the open-file cache: a file stays open, with
	// its metadata and (up to 16 KiB) its bytes, and a name found missing
	// stays missing, for CacheValid after the handler looked; so a change
	// to the tree may take that long to show. Zero: every request opens
	// its file.
	CacheValid time.Duration
	// CacheMax bounds the names the cache holds (zero: DefaultCacheMax).
	CacheMax int
}

// Result says how a request was answered, for access logs and counters.
type Result struct {
	Code  int   // status code sent
	Bytes int64 // body bytes queued (0 for HEAD, 304...)
}

// A Handler serves the files under one directory. It is safe for
// concurrent use by the loops of a Server: each call to Serve runs on the
// loop goroutine of its request and shares only immutable state.
type Handler struct {
	root     *os.Root // immutable; every open goes through it
	index    []string // immutable
	listDirs bool
	log      *slog.Logger
	cache    *fileCache // nil without Config.CacheValid
}

// New opens cfg.Root and returns a Handler serving it. It fails when the
// root cannot be opened or is not a directory.
func New(cfg Config) (*Handler, error) {
	fi, err := os.Stat(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("static: root: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("static: root %s: %w", cfg.Root, syscall.ENOTDIR)
	}
	root, err := os.OpenRoot(cfg.Root)
	if err != nil {
		return nil, fmt.Errorf("static: root: %w", err)
	}
	index := cfg.Index
	if index == nil {
		index = []string{"index.html"}
	}
	for _, name := range index {
		if name == "" || strings.ContainsAny(name, "/\\\x00") || name == "." || name == ".." {
			root.Close()
			return nil, fmt.Errorf("static: index name %q: %w", name, ErrBadPath)
		}
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{root: root, index: index, listDirs: cfg.ListDirs, log: log}
	if cfg.CacheValid > 0 {
		h.cache = newFileCache(cfg.CacheValid, cfg.CacheMax)
	}
	return h, nil
}

// Close releases the root directory and the cached files. Requests served
// afterwards fail.
func (h *Handler) Close() error {
	if h.cache != nil {
		h.cache.close()
	}
	return h.root.Close()
}

// Serve answers r from the files under the root and reports how. It must
// run on r's loop goroutine, as a HandlerFunc does. Methods other than GET
// and HEAD are answered 405 with "Allow: GET, HEAD".
func (h *Handler) Serve(r *evhttp.Request) Result {
	if m := r.Method(); m != "GET" && m != "HEAD" {
		r.OutputHeaders().Set("Allow", "GET, HEAD")
		return sendError(r, evhttp.StatusMethodNotAllowed)
	}
	u := r.URI()
	if u == nil {
		return sendError(r, evhttp.StatusBadRequest)
	}
	raw := u.Path
	if raw == "" {
		raw = "/"
	}
	p, err := CleanPath(raw)
	if err != nil {
		return sendError(r, evhttp.StatusBadRequest)
	}
	rel := strings.Trim(p, "/")
	if rel == "" {
		rel = "."
	}
	e, f, err := h.lookup(rel)
	if err != nil {
		return h.openError(r, err)
	}
	switch {
	case f != nil && !strings.HasSuffix(p, "/"):
		return h.serveFile(r, e, f, rel)
	case e.info.IsDir():
		if !strings.HasSuffix(p, "/") {
			return redirect(r, p+"/", u)
		}
		return h.serveDir(r, p, rel)
	}
	if f != nil {
		f.Release()
	}
	return sendError(r, evhttp.StatusNotFound)
}

// lookup opens name under the root, through the cache when there is one.
// For a regular file it returns the file's entry and a reference on the
// file that the caller must Release; for anything else (a directory...)
// an entry with only info, and a nil file.
func (h *Handler) lookup(name string) (*fileEntry, *sendfile.File, error) {
	if h.cache != nil {
		return h.cache.get(name, h.openEntry)
	}
	return h.openEntry(name, time.Time{}, false)
}

// openEntry opens name and makes its entry, reading the bytes of a small
// regular file when withBody is set; now is when it looked.
func (h *Handler) openEntry(name string, now time.Time, withBody bool) (*fileEntry, *sendfile.File, error) {
	f, fi, err := h.open(name)
	if err != nil {
		return nil, nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return &fileEntry{info: fi}, nil, nil
	}
	sf, err := sendfile.NewFile(f)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return newFileEntry(sf, fi, now, withBody), sf, nil
}

// open opens name under the root without following a symbolic link out
// of it, without blocking on a FIFO, and stats it.
func (h *Handler) open(name string) (*os.File, fs.FileInfo, error) {
	f, err := h.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// openError answers a failed open: 403 when permission was denied,
// 500 for a shortage of resources or an I/O error, else 404 (missing,
// a file used as a directory, a link out of the root).
func (h *Handler) openError(r *evhttp.Request, err error) Result {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return sendError(r, evhttp.StatusForbidden)
	case errors.Is(err, syscall.EMFILE), errors.Is(err, syscall.ENFILE),
		errors.Is(err, syscall.ENOMEM), errors.Is(err, syscall.EIO):
		h.log.Error("open", "path", r.Path(), "err", err)
		return sendError(r, evhttp.StatusInternalServerError)
	}
	return sendError(r, evhttp.StatusNotFound)
}

// serveDir answers a directory path ending in "/": its first index file,
// else a listing when allowed, else 403.
func (h *Handler) serveDir(r *evhttp.Request, p, rel string) Result {
	for _, name := range h.index {
		ip := path.Join(rel, name)
		e, f, err := h.lookup(ip)
		if err != nil {
			continue
		}
		if f != nil {
			return h.serveFile(r, e, f, ip)
		}
	}
	if !h.listDirs {
		return sendError(r, evhttp.StatusForbidden)
	}
	return h.list(r, p, rel)
}

// contentType returns the media type for a file name's extension.
func contentType(name string) string {
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// serveFile answers with the regular file sf (named rel under the root,
// e its entry), or with its precompressed rel.gz, honouring conditionals
// and ranges. It takes over the caller's reference on sf.
func (h *Handler) serveFile(r *evhttp.Request, e *fileEntry, sf *sendfile.File, rel string) Result {
	in, out := r.InputHeaders(), r.OutputHeaders()
	out.Set("Content-Type", contentType(rel))
	if !strings.HasSuffix(rel, ".gz") {
		if ge, gf, err := h.lookup(rel + ".gz"); err == nil && gf != nil {
			out.Set("Vary", "Accept-Encoding")
			if AcceptsGzip(in.Get("Accept-Encoding")) {
				sf.Release()
				e, sf = ge, gf
				out.Set("Content-Encoding", "gzip")
			} else {
				gf.Release()
			}
		}
	}
	defer sf.Release()
	v := validators{etag: e.etag, modtime: e.modtime}
	out.Set("ETag", e.etag)
	out.Set("Last-Modified", e.lastModified)
	out.Set("Accept-Ranges", "bytes")
	switch v.evaluate(in) {
	case failed:
		return sendError(r, evhttp.StatusPreconditionFailed)
	case notModified:
		out.Del("Content-Type")
		out.Del("Content-Encoding")
		out.Del("Accept-Ranges")
		r.SendReply(evhttp.StatusNotModified, "", nil)
		return Result{Code: evhttp.StatusNotModified}
	}
	size := sf.Size()
	if rh := in.Get("Range"); rh != "" && r.Method() == "GET" && v.rangeApplies(in) {
		ranges, err := sendfile.ParseRange(rh, size)
		switch {
		case errors.Is(err, sendfile.ErrUnsatisfiable):
			return sendUnsatisfiable(r, size)
		case err == nil && len(ranges) == 1:
			out.Set("Content-Range", ranges[0].ContentRange(size))
			return sendBody(r, evhttp.StatusPartialContent, e, sf, ranges[0].Start, ranges[0].Length)
		case err == nil:
			return sendMultipart(r, sf, ranges, out.Get("Content-Type"))
		}
	}
	return sendBody(r, evhttp.StatusOK, e, sf, 0, size)
}

// sendBody replies with n bytes of f (whose entry is e) from off as the
// body; for HEAD only the Content-Length goes out.
func sendBody(r *evhttp.Request, code int, e *fileEntry, f *sendfile.File, off, n int64) Result {
	if r.Method() == "HEAD" {
		r.OutputHeaders().Set("Content-Length", strconv.FormatInt(n, 10))
		r.SendReply(code, "", nil)
		return Result{Code: code}
	}
	if err := addBody(r.OutputBuffer(), e, f, off, n); err != nil {
		return sendError(r, evhttp.StatusInternalServerError)
	}
	r.SendReply(code, "", nil)
	return Result{Code: code, Bytes: n}
}

// sendUnsatisfiable replies 416 with the Content-Range RFC 9110 §15.5.17
// asks for.
func sendUnsatisfiable(r *evhttp.Request, size int64) Result {
	out := r.OutputHeaders()
	out.Reset()
	out.Set("Content-Range", sendfile.UnsatisfiedContentRange(size))
	return sendPage(r, evhttp.StatusRangeNotSatisfiable)
}

// sendError replies with a small HTML page naming the status; it keeps
// only the Allow field of the headers set so far.
func sendError(r *evhttp.Request, code int) Result {
	out := r.OutputHeaders()
	allow := out.Get("Allow")
	out.Reset()
	if allow != "" {
		out.Set("Allow", allow)
	}
	return sendPage(r, code)
}

func sendPage(r *evhttp.Request, code int) Result {
	r.OutputHeaders().Set("Content-Type", "text/html; charset=utf-8")
	b := r.OutputBuffer()
	b.Reset()
	phrase := strconv.Itoa(code) + " " + evhttp.StatusText(code)
	b.AddString("<html><head><title>" + phrase + "</title></head><body><h1>" + phrase + "</h1></body></html>\n")
	n := int64(b.Len())
	r.SendReply(code, "", nil)
	if r.Method() == "HEAD" {
		n = 0
	}
	return Result{Code: code, Bytes: n}
}

// redirect answers 301 to the cleaned path target (re-encoded, so it
// never reads as a scheme or an authority), with the query kept.
func redirect(r *evhttp.Request, target string, u *evhttp.URI) Result {
	loc := escapePath(target)
	if u.HasQuery() {
		loc += "?" + u.Query
	}
	r.OutputHeaders().Set("Location", loc)
	return sendPage(r, evhttp.StatusMovedPermanently)
}
