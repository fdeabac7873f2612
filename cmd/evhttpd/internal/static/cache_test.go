package static

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goevent/goevent/sendfile"
)

// cacheFixture is a Handler with an open-file cache on a clock the test
// moves, and a count of the opens the cache made.
type cacheFixture struct {
	h     *Handler
	root  string
	now   time.Time
	opens map[string]int
}

func newCacheFixture(t *testing.T, valid time.Duration, max int) *cacheFixture {
	t.Helper()
	root := t.TempDir()
	h, err := New(Config{Root: root, CacheValid: valid, CacheMax: max})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	fx := &cacheFixture{h: h, root: root, now: time.Unix(1e9, 0), opens: map[string]int{}}
	h.cache.now = func() time.Time { return fx.now }
	return fx
}

func (fx *cacheFixture) write(t *testing.T, name, body string) {
	t.Helper()
	p := filepath.Join(fx.root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// get looks name up through the cache, counting the opens it makes.
func (fx *cacheFixture) get(name string) (*fileEntry, *sendfile.File, error) {
	return fx.h.cache.get(name, func(n string, now time.Time, body bool) (*fileEntry, *sendfile.File, error) {
		fx.opens[n]++
		return fx.h.openEntry(n, now, body)
	})
}

func TestCacheKeepsFiles(t *testing.T) {
	fx := newCacheFixture(t, time.Minute, 0)
	fx.write(t, "a.txt", "first")
	e1, f1, err := fx.get("a.txt")
	if err != nil || f1 == nil {
		t.Fatalf("get: %v, file %v", err, f1)
	}
	if string(e1.body) != "first" || e1.etag == "" || e1.lastModified == "" {
		t.Fatalf("entry body %q, etag %q, last-modified %q", e1.body, e1.etag, e1.lastModified)
	}
	if n := f1.Refs(); n != 2 {
		t.Errorf("refs after get = %d, want 2 (the caller's and the cache's)", n)
	}
	f1.Release()

	fx.write(t, "a.txt", "second!")
	fx.now = fx.now.Add(59 * time.Second)
	e2, f2, err := fx.get("a.txt")
	if err != nil || e2 != e1 || f2 != f1 {
		t.Fatalf("get within valid: entry %p file %p (%v), want the cached %p %p", e2, f2, err, e1, f1)
	}
	f2.Release()
	if fx.opens["a.txt"] != 1 {
		t.Errorf("opens within valid = %d, want 1", fx.opens["a.txt"])
	}

	fx.now = fx.now.Add(time.Second)
	e3, f3, err := fx.get("a.txt")
	if err != nil || string(e3.body) != "second!" || e3.etag == e1.etag {
		t.Fatalf("get after valid: %v, body %q, etag %q (old %q)", err, e3.body, e3.etag, e1.etag)
	}
	if n := f1.Refs(); n != 0 {
		t.Errorf("the stale file has %d refs, want 0 (closed)", n)
	}
	f3.Release()
	fx.h.cache.close()
	if n := f3.Refs(); n != 0 {
		t.Errorf("refs after close = %d, want 0", n)
	}
}

func TestCacheMissingNames(t *testing.T) {
	fx := newCacheFixture(t, time.Minute, 0)
	for range 3 {
		if _, f, err := fx.get("nope.gz"); !errors.Is(err, fs.ErrNotExist) || f != nil {
			t.Fatalf("get of a missing name: %v, file %v", err, f)
		}
	}
	if fx.opens["nope.gz"] != 1 {
		t.Errorf("opens of a missing name = %d, want 1", fx.opens["nope.gz"])
	}
	fx.write(t, "nope.gz", "now here")
	if _, _, err := fx.get("nope.gz"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("within valid, a created name: %v, want still missing", err)
	}
	fx.now = fx.now.Add(time.Minute)
	_, f, err := fx.get("nope.gz")
	if err != nil || f == nil {
		t.Fatalf("after valid: %v, file %v", err, f)
	}
	f.Release()
}

func TestCacheSkipsDirectoriesAndBigBodies(t *testing.T) {
	fx := newCacheFixture(t, time.Minute, 0)
	fx.write(t, "d/x.txt", "x")
	fx.write(t, "big.bin", strings.Repeat("b", cacheBodyMax+1))
	for range 2 {
		e, f, err := fx.get("d")
		if err != nil || f != nil || !e.info.IsDir() {
			t.Fatalf("get of a directory: %v, file %v, entry %+v", err, f, e)
		}
	}
	if fx.opens["d"] != 2 {
		t.Errorf("directory opened %d times, want 2 (not kept)", fx.opens["d"])
	}
	e, f, err := fx.get("big.bin")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Release()
	if e.body != nil || f.Size() != cacheBodyMax+1 {
		t.Errorf("big file: body of %d bytes kept, size %d", len(e.body), f.Size())
	}
}

func TestCacheBound(t *testing.T) {
	fx := newCacheFixture(t, time.Minute, 2)
	for _, n := range []string{"a", "b", "c"} {
		fx.write(t, n, n)
	}
	for _, n := range []string{"a", "b", "c", "c"} {
		_, f, err := fx.get(n)
		if err != nil {
			t.Fatal(err)
		}
		f.Release()
	}
	if fx.opens["c"] != 2 || len(fx.h.cache.entries) != 2 {
		t.Errorf("full cache: c opened %d times (want 2: not kept), %d entries (want 2)", fx.opens["c"], len(fx.h.cache.entries))
	}
	fx.now = fx.now.Add(time.Minute) // a and b are stale: the next open sweeps them
	_, f, err := fx.get("c")
	if err != nil {
		t.Fatal(err)
	}
	f.Release()
	if _, ok := fx.h.cache.entries["c"]; !ok || len(fx.h.cache.entries) != 1 {
		t.Errorf("after the sweep: %d entries, c kept %v; want only c", len(fx.h.cache.entries), ok)
	}
}

func TestCacheDisabled(t *testing.T) {
	h, err := New(Config{Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if h.cache != nil {
		t.Fatal("a cache without CacheValid")
	}
}
