package static

import (
	"crypto/rand"

	"github.com/goevent/goevent/evhttp"
	"github.com/goevent/goevent/sendfile"
)

// sendMultipart replies 206 with ranges of f as a multipart/byteranges
// body (RFC 9110 §14.6): each part a delimiter, its Content-Type and
// Content-Range, and a file segment, so the parts are never read into
// memory.
func sendMultipart(r *evhttp.Request, f *sendfile.File, ranges []sendfile.Range, ctype string) Result {
	boundary := rand.Text()
	b := r.OutputBuffer()
	size := f.Size()
	for _, rg := range ranges {
		b.AddString("\r\n--" + boundary + "\r\nContent-Type: " + ctype +
			"\r\nContent-Range: " + rg.ContentRange(size) + "\r\n\r\n")
		if err := b.AddFile(f, rg.Start, rg.Length); err != nil {
			return sendError(r, evhttp.StatusInternalServerError)
		}
	}
	b.AddString("\r\n--" + boundary + "--\r\n")
	r.OutputHeaders().Set("Content-Type", "multipart/byteranges; boundary="+boundary)
	n := int64(b.Len())
	r.SendReply(evhttp.StatusPartialContent, "", nil)
	return Result{Code: evhttp.StatusPartialContent, Bytes: n}
}
