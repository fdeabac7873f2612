// Package static serves the files of a directory tree over evhttp: the
// static-file half of evhttpd.
//
// A Handler answers GET and HEAD with the file a request names under its
// root, never anything outside it: request paths are decoded and cleaned
// by CleanPath (which refuses encoded slashes, backslashes, NUL and any
// ".." that would climb above the root), and files are opened through an
// os.Root, which refuses symbolic links leading out of the tree.
//
// Replies carry Content-Type (from the extension), Content-Length,
// Last-Modified, a strong ETag and Accept-Ranges; the conditional fields of
// RFC 9110 §13 (If-Match, If-None-Match, If-Modified-Since,
// If-Unmodified-Since, If-Range) and byte ranges (single, suffix, open and
// multiple as multipart/byteranges) are honoured. A precompressed FILE.gz
// next to FILE is sent instead when the client accepts gzip. Bodies of
// more than 16 KiB are file segments of the reply buffer (evbuffer's
// AddFile), so a plain connection sends them with sendfile(2) and a TLS
// one reads them in record-sized pieces: a large file is never read into
// memory whole. Smaller bodies are copied into the reply, so that the
// header and the body leave in one write.
//
// With Config.CacheValid, an open-file cache keeps each file served open,
// with its metadata and (up to 16 KiB) its bytes, and remembers names
// found missing, for that long after looking, as nginx's open_file_cache
// does; a request for a cached file then makes no file system call.
package static
