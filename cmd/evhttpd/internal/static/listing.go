package static

import (
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/goevent/goevent/evhttp"
)

// list answers with an HTML listing of the directory rel (request path p),
// sorted by name, directories marked with a trailing "/". Names are
// HTML-escaped and links percent-encoded and made relative ("./name"), so
// no file name can inject markup or read as a URL scheme.
func (h *Handler) list(r *evhttp.Request, p, rel string) Result {
	f, _, err := h.open(rel)
	if err != nil {
		return h.openError(r, err)
	}
	entries, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return h.openError(r, err)
	}
	slices.SortFunc(entries, func(a, b os.DirEntry) int {
		return strings.Compare(a.Name(), b.Name())
	})
	title := evhttp.HTMLEscape("Index of " + p)
	b := r.OutputBuffer()
	b.AddString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + title +
		"</title></head><body><h1>" + title + "</h1><ul>\n")
	if p != "/" {
		b.AddString("<li><a href=\"../\">../</a></li>\n")
	}
	for _, e := range entries {
		name, slash := e.Name(), ""
		if e.IsDir() {
			slash = "/"
		}
		b.AddString("<li><a href=\"./" + evhttp.HTMLEscape(url.PathEscape(name)) + slash + "\">" +
			evhttp.HTMLEscape(name) + slash + "</a></li>\n")
	}
	b.AddString("</ul></body></html>\n")
	r.OutputHeaders().Set("Content-Type", "text/html; charset=utf-8")
	n := int64(b.Len())
	r.SendReply(evhttp.StatusOK, "", nil)
	if r.Method() == "HEAD" {
		n = 0
	}
	return Result{Code: evhttp.StatusOK, Bytes: n}
}

// escapePath percent-encodes each segment of a cleaned path.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
