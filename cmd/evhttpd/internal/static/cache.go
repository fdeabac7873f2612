package static

import (
	"errors"
	"io/fs"
	"sync"
	"time"

	"github.com/goevent/goevent/sendfile"
)

// Limits of the open-file cache.
const (
	// DefaultCacheMax is the number of names a cache holds when
	// Config.CacheMax is zero.
	DefaultCacheMax = 1000
	// cacheBodyMax is the largest file whose bytes the cache keeps in
	// memory (and sends from there with the header in one write).
	cacheBodyMax = smallBody
	// cacheBodyTotal bounds the bytes of all the bodies kept; beyond it
	// small files are kept open but not read.
	cacheBodyTotal = 64 << 20
)

// A fileCache keeps, for up to valid after it looked, what opening a name
// under the root gave: the open regular file with its FileInfo, the
// strings its replies carry and, for a small file, its bytes; or that
// the name does not exist. An entry older than valid is dropped and the
// name opened again, so a change to the tree shows within valid (nginx's
// open_file_cache works the same way). It is safe for concurrent use.
type fileCache struct {
	valid time.Duration
	max   int
	now   func() time.Time // time.Now; tests set their own clock

	mu        sync.Mutex
	entries   map[string]*fileEntry // guarded by mu
	bodyBytes int                   // guarded by mu: the bytes of every body kept
	swept     time.Time             // guarded by mu: the last sweep of a full cache
}

// A fileEntry is what opening one name gave. It is immutable once in a
// cache; the cache holds one reference on file until it drops the entry.
type fileEntry struct {
	file    *sendfile.File // nil when err is set
	info    fs.FileInfo
	err     error // the name does not exist (fs.ErrNotExist)
	checked time.Time

	etag, lastModified string
	modtime            time.Time // truncated to the second, as Last-Modified says
	body               []byte    // the whole file, for small files; nil otherwise
}

func newFileCache(valid time.Duration, max int) *fileCache {
	if max <= 0 {
		max = DefaultCacheMax
	}
	return &fileCache{valid: valid, max: max, now: time.Now, entries: make(map[string]*fileEntry)}
}

// opener opens a name under the root and makes its entry (see
// Handler.openEntry): now is when it looked; withBody asks for the bytes
// of a small file.
type opener func(name string, now time.Time, withBody bool) (*fileEntry, *sendfile.File, error)

// get returns the entry for name, opening it with open when the cache has
// no fresh one. A regular file comes back with a reference the caller
// must Release. A name that does not exist comes back as the error of the
// open that found it missing, kept like a file. Any other outcome (a
// directory, a permission error...) is returned as open gave it and not
// kept.
func (c *fileCache) get(name string, open opener) (*fileEntry, *sendfile.File, error) {
	now := c.now()
	c.mu.Lock()
	e := c.entries[name]
	if e != nil && now.Sub(e.checked) < c.valid {
		var f *sendfile.File
		if e.file != nil {
			f = e.file.Ref()
		}
		c.mu.Unlock()
		return e, f, e.err
	}
	if e != nil {
		c.dropLocked(name, e)
	}
	c.mu.Unlock()

	e, f, err := open(name, now, true)
	switch {
	case err != nil && errors.Is(err, fs.ErrNotExist):
		e = &fileEntry{err: err, checked: now}
	case err != nil || f == nil:
		return e, f, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[name]; old != nil { // another loop opened it meanwhile
		c.dropLocked(name, old)
	}
	if len(c.entries) >= c.max && now.Sub(c.swept) >= min(c.valid, time.Second) {
		// At most once a second, so that a cache full of fresh entries
		// does not walk them all on every miss.
		c.sweepLocked(now)
		c.swept = now
	}
	if len(c.entries) >= c.max {
		return e, f, e.err // full of fresh entries: not kept
	}
	if e.body != nil && c.bodyBytes+len(e.body) > cacheBodyTotal {
		e.body = nil
	}
	c.bodyBytes += len(e.body)
	if f != nil {
		f.Ref() // the cache's own reference
	}
	c.entries[name] = e
	return e, f, e.err
}

// newFileEntry makes the entry of the open regular file f, with its
// bytes when withBody is set and it is small enough.
func newFileEntry(f *sendfile.File, fi fs.FileInfo, now time.Time, withBody bool) *fileEntry {
	v := newValidators(fi)
	e := &fileEntry{file: f, info: fi, checked: now, etag: v.etag, modtime: v.modtime,
		lastModified: v.modtime.Format(timeFormat)}
	if n := f.Size(); withBody && n <= cacheBodyMax {
		b := make([]byte, n)
		if k, err := f.ReadAt(b, 0); err == nil && int64(k) == n {
			e.body = b
		}
	}
	return e
}

// dropLocked removes e, the entry of name, and drops the cache's
// reference on its file (the fd closes once no reply still sends from it).
func (c *fileCache) dropLocked(name string, e *fileEntry) {
	delete(c.entries, name)
	c.bodyBytes -= len(e.body)
	if e.file != nil {
		e.file.Release()
	}
}

// sweepLocked drops every entry older than valid.
func (c *fileCache) sweepLocked(now time.Time) {
	for name, e := range c.entries {
		if now.Sub(e.checked) >= c.valid {
			c.dropLocked(name, e)
		}
	}
}

// close drops every entry.
func (c *fileCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for name, e := range c.entries {
		c.dropLocked(name, e)
	}
}
