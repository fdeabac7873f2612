package evbuffer

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/goevent/goevent/sendfile"
)

// The differential harness runs sequences of operations on two Buffers and
// on a model of each (a flat byte slice plus, per byte, whether it lies in
// a file segment), and compares them after every step. TestDifferential
// drives it with a PRNG, FuzzDifferential with the fuzzer's bytes.

// chooser supplies the harness's decisions.
type chooser interface {
	intn(n int) int // in [0, n); n > 0
	exhausted() bool
}

type randChooser struct{ r *rand.Rand }

func (c randChooser) intn(n int) int { return c.r.IntN(n) }
func (randChooser) exhausted() bool  { return false }

// fuzzChooser reads decisions from the fuzz input; once it runs out, every
// decision is 0 and exhausted reports true.
type fuzzChooser struct {
	data []byte
	i    int
}

func (c *fuzzChooser) intn(n int) int {
	if c.i >= len(c.data) {
		c.i++
		return 0
	}
	v := int(c.data[c.i])
	c.i++
	if n > 256 && c.i < len(c.data) {
		v = v<<8 | int(c.data[c.i])
		c.i++
	}
	return v % n
}

func (c *fuzzChooser) exhausted() bool { return c.i >= len(c.data) }

type model struct {
	data   []byte
	isFile []bool
}

func (m *model) appendBytes(p []byte, file bool) {
	m.data = append(m.data, p...)
	for range p {
		m.isFile = append(m.isFile, file)
	}
}

func (m *model) prepend(p []byte, file bool) {
	f := make([]bool, len(p))
	for i := range f {
		f[i] = file
	}
	m.data = append(append([]byte{}, p...), m.data...)
	m.isFile = append(f, m.isFile...)
}

func (m *model) appendModel(o *model) {
	m.data = append(m.data, o.data...)
	m.isFile = append(m.isFile, o.isFile...)
}

func (m *model) drain(n int) {
	m.data = m.data[n:]
	m.isFile = m.isFile[n:]
}

func (m *model) reset() { m.data, m.isFile = nil, nil }

// memPrefix is how many leading bytes lie in memory segments.
func (m *model) memPrefix() int {
	for i, f := range m.isFile {
		if f {
			return i
		}
	}
	return len(m.data)
}

type refState struct {
	mem      []byte
	released int
}

type harness struct {
	t        testing.TB
	ch       chooser
	bufs     [2]*Buffer
	models   [2]*model
	file     *sendfile.File
	fileData []byte
	refs     []*refState
	log      []string // recent ops, for failure messages
	stats    map[string]int
}

func newHarness(t testing.TB, ch chooser, f *sendfile.File, fileData []byte) *harness {
	return &harness{t: t, ch: ch, bufs: [2]*Buffer{New(), New()}, models: [2]*model{{}, {}}, file: f, fileData: fileData,
		stats: map[string]int{}}
}

const alphabet = "ab\r\n\x00\r\nxyab"

// gen returns n bytes: dense in CR, LF and NUL, sparse in them, or
// without them, so that lines and matches end both near and far from where
// they start (and so across segment boundaries).
func (h *harness) gen(n int) []byte {
	p := make([]byte, n)
	mode := h.ch.intn(3)
	for i := range p {
		switch {
		case mode == 0 && h.ch.intn(8) == 0:
			p[i] = byte(h.ch.intn(256))
		case mode == 0:
			p[i] = alphabet[h.ch.intn(len(alphabet))]
		case mode == 1 && h.ch.intn(300) == 0:
			p[i] = "\r\n\x00"[h.ch.intn(3)]
		default:
			p[i] = "abxy"[h.ch.intn(4)]
		}
	}
	if n > 0 && h.ch.intn(4) == 0 { // start with a line end
		p[0] = "\n\r\x00"[h.ch.intn(3)]
	}
	if n > 0 && h.ch.intn(3) == 0 { // end on a line end
		tails := []string{"\r\n", "\n", "\r", "\x00", "\r\r\n"}
		tl := tails[h.ch.intn(len(tails))]
		copy(p[max(0, n-len(tl)):], tl)
	}
	return p
}

// scribblePools takes a block from every pool, overwrites it and puts it
// back, so that a slice still pointing into a block the buffer gave back
// too early shows the damage.
func scribblePools() {
	for c := range numClasses {
		blk := getBlock(minClass << c)
		for i := range blk.b {
			blk.b[i] = 0xDD
		}
		putBlock(blk)
	}
}

// size picks a length, mostly small, sometimes spanning several blocks.
func (h *harness) size() int {
	switch h.ch.intn(10) {
	case 0, 1, 2, 3:
		return h.ch.intn(17)
	case 4, 5, 6:
		return h.ch.intn(600)
	case 7, 8:
		return h.ch.intn(5000)
	default:
		return h.ch.intn(70000)
	}
}

func (h *harness) fatalf(format string, args ...any) {
	h.t.Helper()
	start := max(0, len(h.log)-15)
	h.t.Fatalf("after ops %q:\n"+format, append([]any{h.log[start:]}, args...)...)
}

func (h *harness) noErr(err error, what string) {
	h.t.Helper()
	if err != nil {
		h.fatalf("%s: %v", what, err)
	}
}

func (h *harness) equalBytes(got, want []byte, what string) {
	h.t.Helper()
	if !bytes.Equal(got, want) {
		h.fatalf("%s = %q, want %q", what, trunc(got), trunc(want))
	}
}

// refEOL is the reference for SearchEOL over flat bytes.
func refEOL(data []byte, start int, style EOLStyle) (int, int) {
	d := data[start:]
	switch style {
	case EOLAny:
		i := bytes.IndexAny(d, "\r\n")
		if i < 0 {
			return -1, 0
		}
		j := i
		for j < len(d) && (d[j] == '\r' || d[j] == '\n') {
			j++
		}
		return start + i, j - i
	case EOLCRLF:
		i := bytes.IndexByte(d, '\n')
		if i < 0 {
			return -1, 0
		}
		if i > 0 && d[i-1] == '\r' {
			return start + i - 1, 2
		}
		return start + i, 1
	case EOLCRLFStrict:
		i := bytes.Index(d, []byte("\r\n"))
		if i < 0 {
			return -1, 0
		}
		return start + i, 2
	case EOLLF:
		if i := bytes.IndexByte(d, '\n'); i >= 0 {
			return start + i, 1
		}
	case EOLNUL:
		if i := bytes.IndexByte(d, 0); i >= 0 {
			return start + i, 1
		}
	}
	return -1, 0
}

// refSearch is the reference for SearchRange over flat bytes.
func refSearch(data, what []byte, start, end int) int {
	if start+len(what) > end {
		return -1
	}
	i := bytes.Index(data[start:], what)
	if i < 0 || start+i+len(what) > end {
		return -1
	}
	return start + i
}

var opNames = []string{
	"Add", "AddString", "Prepend", "AddReference", "AddFile", "AddBuffer", "PrependBuffer",
	"RemoveBuffer", "Drain", "Remove", "CopyOut", "Peek", "Pullup", "ReadLine", "Search",
	"SearchEOL", "ReserveCommit", "ReadByte", "ReadWrite", "WriteTo", "Reset", "Expand",
	"ReadFrom", "AddPrintf", "PtrSet",
	"Search", "SearchEOL", "ReadLine", // the searches twice as often
}

// step runs one random operation and checks both buffers against the
// models.
func (h *harness) step() {
	i := h.ch.intn(2)
	b, m := h.bufs[i], h.models[i]
	ob, om := h.bufs[1-i], h.models[1-i]
	op := h.ch.intn(len(opNames))
	if len(m.data) > 400000 && op < 4 { // keep the buffers bounded
		op = 8
	}
	h.log = append(h.log, opNames[op]+"@"+string(rune('A'+i)))
	if len(h.log) > 64 {
		h.log = h.log[32:]
	}
	n := len(m.data)
	switch opNames[op] {
	case "Add":
		p := h.gen(h.size())
		h.noErr(b.Add(p), "Add")
		m.appendBytes(p, false)
	case "AddString":
		p := h.gen(h.size())
		h.noErr(b.AddString(string(p)), "AddString")
		m.appendBytes(p, false)
	case "Prepend":
		p := h.gen(h.size())
		h.noErr(b.Prepend(p), "Prepend")
		m.prepend(p, false)
	case "AddReference":
		p := h.gen(h.size())
		rs := &refState{mem: p}
		h.refs = append(h.refs, rs)
		h.noErr(b.AddReference(p, func() {
			rs.released++
			if rs.released > 1 {
				h.fatalf("reference released twice")
			}
			for k := range rs.mem { // poison: a use after release shows up as a mismatch
				rs.mem[k] = 0xEE
			}
		}), "AddReference")
		m.appendBytes(append([]byte(nil), p...), false)
		if len(p) == 0 && rs.released != 1 {
			h.fatalf("empty reference not released at once")
		}
	case "AddFile":
		if h.file == nil {
			return
		}
		off := h.ch.intn(len(h.fileData) + 1)
		k := min(h.size(), len(h.fileData)-off)
		h.noErr(b.AddFile(h.file, int64(off), int64(k)), "AddFile")
		m.appendBytes(h.fileData[off:off+k], true)
	case "AddBuffer":
		h.noErr(b.AddBuffer(ob), "AddBuffer")
		m.appendModel(om)
		om.reset()
	case "PrependBuffer":
		h.noErr(b.PrependBuffer(ob), "PrependBuffer")
		om.appendModel(m)
		m.data, m.isFile = om.data, om.isFile
		om.reset()
	case "RemoveBuffer":
		k := h.ch.intn(n + 100)
		moved, err := b.RemoveBuffer(ob, k)
		h.noErr(err, "RemoveBuffer")
		if moved != min(k, n) {
			h.fatalf("RemoveBuffer(%d) moved %d of %d", k, moved, n)
		}
		om.data = append(om.data, m.data[:moved]...)
		om.isFile = append(om.isFile, m.isFile[:moved]...)
		m.drain(moved)
	case "Drain":
		k := h.ch.intn(n + 100)
		h.noErr(b.Drain(k), "Drain")
		m.drain(min(k, n))
	case "Remove":
		p := make([]byte, h.ch.intn(n+100))
		k, err := b.Remove(p)
		h.noErr(err, "Remove")
		if k != min(len(p), n) {
			h.fatalf("Remove: %d", k)
		}
		h.equalBytes(p[:k], m.data[:k], "Remove")
		m.drain(k)
	case "CopyOut":
		pos := h.ch.intn(n + 1)
		p := make([]byte, h.ch.intn(n+100))
		var ptr Ptr
		h.noErr(b.PtrSet(&ptr, pos, PtrSetAbs), "PtrSet")
		k, err := b.CopyOutFrom(ptr, p)
		h.noErr(err, "CopyOutFrom")
		if k != min(len(p), n-pos) {
			h.fatalf("CopyOutFrom(%d): %d", pos, k)
		}
		h.equalBytes(p[:k], m.data[pos:pos+k], "CopyOutFrom")
	case "Peek":
		k := h.ch.intn(n+100) - 50
		vecs := b.Peek(k, nil)
		var got []byte
		for _, v := range vecs {
			if len(v) == 0 {
				h.fatalf("Peek returned an empty slice")
			}
			got = append(got, v...)
		}
		want := m.memPrefix()
		if k >= 0 {
			want = min(want, k)
		}
		h.equalBytes(got, m.data[:want], "Peek")
	case "Pullup":
		k := h.ch.intn(n+20) - 10
		p, err := b.Pullup(k)
		if k > n {
			if !errors.Is(err, ErrShort) {
				h.fatalf("Pullup(%d) of %d: %v", k, n, err)
			}
			break
		}
		h.noErr(err, "Pullup")
		if k < 0 {
			k = n
		}
		h.equalBytes(p, m.data[:k], "Pullup")
		for j := 0; j < k; j++ {
			m.isFile[j] = false
		}
		if k > 0 && b.ContiguousSpace() < k {
			h.fatalf("ContiguousSpace %d after Pullup(%d)", b.ContiguousSpace(), k)
		}
	case "ReadLine":
		style := EOLStyle(h.ch.intn(5))
		pos, eol := refEOL(m.data, 0, style)
		line, ok := b.ReadLine(style)
		if ok != (pos >= 0) {
			h.fatalf("ReadLine(%v) ok = %v, want %v", style, ok, pos >= 0)
		}
		if ok {
			h.equalBytes(line, m.data[:pos], "ReadLine "+style.String())
			scribblePools()
			h.equalBytes(line, m.data[:pos], "ReadLine "+style.String()+" after pool reuse")
			m.drain(pos + eol)
			h.stats["ReadLine ok"]++
			if b.nsegs() > 0 && pos+eol > 0 {
				h.stats["ReadLine multi"]++
			}
		}
	case "Search":
		start := h.ch.intn(n + 1)
		var what []byte
		if bounds := h.boundaries(b); len(bounds) > 0 && h.ch.intn(2) == 0 {
			// a needle across a segment boundary
			bd := bounds[h.ch.intn(len(bounds))]
			s := max(0, bd-1-h.ch.intn(20))
			what = append(what, m.data[s:min(n, bd+1+h.ch.intn(20))]...)
			if h.ch.intn(3) == 0 && len(what) > 1 {
				what[len(what)-1] ^= 1
			}
		} else if n > 0 && h.ch.intn(3) > 0 {
			s := h.ch.intn(n)
			what = append(what, m.data[s:min(n, s+1+h.ch.intn(40))]...)
			if h.ch.intn(2) == 0 && len(what) > 1 { // a near miss: first bytes right, last wrong
				what[len(what)-1] ^= 1
			}
		} else {
			what = h.gen(h.ch.intn(4))
		}
		end := n
		var endp *Ptr
		if h.ch.intn(2) == 0 {
			end = start + h.ch.intn(n-start+1)
			endp = &Ptr{}
			h.noErr(b.PtrSet(endp, end, PtrSetAbs), "PtrSet end")
		}
		var sp Ptr
		if h.ch.intn(2) == 0 {
			h.noErr(b.PtrSet(&sp, start, PtrSetAbs), "PtrSet")
		} else {
			sp.Pos = start // an uncached Ptr resolves by Pos
		}
		got := b.SearchRange(what, &sp, endp)
		if want := refSearch(m.data, what, start, end); got.Pos != want {
			h.fatalf("SearchRange(%q, %d, %d) = %d, want %d", what, start, end, got.Pos, want)
		}
		if got.Pos >= 0 {
			h.stats["Search found"]++
			if c := got.c; got.b == b && c.seg < b.nsegs() && b.seg(c.seg).len()-c.off < len(what) {
				h.stats["Search straddle"]++
			}
			p := make([]byte, len(what))
			k, err := b.CopyOutFrom(got, p)
			h.noErr(err, "CopyOutFrom match")
			h.equalBytes(p[:k], what, "bytes at match")
		}
	case "SearchEOL":
		start := h.ch.intn(n + 1)
		style := EOLStyle(h.ch.intn(5))
		var sp Ptr
		h.noErr(b.PtrSet(&sp, start, PtrSetAbs), "PtrSet")
		got, eol := b.SearchEOL(&sp, style)
		wpos, weol := refEOL(m.data, start, style)
		if wpos >= 0 {
			h.stats["SearchEOL found"]++
			if style == EOLCRLF && weol == 2 && got.b == b && b.seg(got.c.seg).len()-got.c.off == 1 {
				h.stats["SearchEOL CRLF straddle"]++
			}
		}
		if got.Pos != wpos || eol != weol {
			h.fatalf("SearchEOL(%d, %v) = %d,%d want %d,%d", start, style, got.Pos, eol, wpos, weol)
		}
	case "ReserveCommit":
		k := h.size()
		r := b.Reserve(k)
		if len(r) < k {
			h.fatalf("Reserve(%d) gave %d", k, len(r))
		}
		c := h.ch.intn(len(r) + 1)
		copy(r, h.gen(c))
		h.noErr(b.Commit(c), "Commit")
		m.appendBytes(r[:c], false)
	case "ReadByte":
		c, err := b.ReadByte()
		if n == 0 {
			if err != io.EOF {
				h.fatalf("ReadByte on empty: %v", err)
			}
			break
		}
		h.noErr(err, "ReadByte")
		if c != m.data[0] {
			h.fatalf("ReadByte = %q, want %q", c, m.data[0])
		}
		m.drain(1)
	case "ReadWrite":
		p := h.gen(h.size())
		k, err := b.Write(p)
		if k != len(p) || err != nil {
			h.fatalf("Write: %d %v", k, err)
		}
		m.appendBytes(p, false)
		q := make([]byte, h.ch.intn(len(m.data)+10))
		k, err = b.Read(q)
		if len(m.data) == 0 && len(q) > 0 {
			if err != io.EOF {
				h.fatalf("Read on empty: %v", err)
			}
			break
		}
		h.noErr(err, "Read")
		h.equalBytes(q[:k], m.data[:k], "Read")
		m.drain(k)
	case "WriteTo":
		if h.ch.intn(4) != 0 { // keep some content around most of the time
			return
		}
		var w bytes.Buffer
		k, err := b.WriteTo(&w)
		h.noErr(err, "WriteTo")
		if int(k) != n {
			h.fatalf("WriteTo wrote %d of %d", k, n)
		}
		h.equalBytes(w.Bytes(), m.data, "WriteTo")
		m.reset()
	case "Reset":
		if h.ch.intn(8) != 0 {
			return
		}
		b.Reset()
		m.reset()
	case "Expand":
		k := h.size()
		h.noErr(b.Expand(k), "Expand")
		if r := b.Reserve(k); len(r) < k {
			h.fatalf("Reserve(%d) after Expand gave %d", k, len(r))
		}
	case "ReadFrom":
		p := h.gen(h.size())
		k, err := b.ReadFrom(bytes.NewReader(p))
		if err != nil || int(k) != len(p) {
			h.fatalf("ReadFrom: %d %v", k, err)
		}
		m.appendBytes(p, false)
	case "AddPrintf":
		p := h.gen(h.ch.intn(100))
		k, err := b.AddPrintf("<%s|%d>", p, len(p))
		h.noErr(err, "AddPrintf")
		want := []byte("<" + string(p) + "|" + itoa(len(p)) + ">")
		if k != len(want) {
			h.fatalf("AddPrintf returned %d", k)
		}
		m.appendBytes(want, false)
	case "PtrSet":
		var p Ptr
		a := h.ch.intn(n + 1)
		h.noErr(b.PtrSet(&p, a, PtrSetAbs), "PtrSet abs")
		d := h.ch.intn(n+3) - a
		err := b.PtrSet(&p, d, PtrAdd)
		if a+d < 0 || a+d > n {
			if !errors.Is(err, ErrRange) || p.Pos != -1 {
				h.fatalf("PtrAdd to %d of %d: %v pos %d", a+d, n, err, p.Pos)
			}
			break
		}
		h.noErr(err, "PtrAdd")
		if p.Pos != a+d {
			h.fatalf("PtrAdd: pos %d, want %d", p.Pos, a+d)
		}
		var one [1]byte
		k, err := b.CopyOutFrom(p, one[:])
		h.noErr(err, "CopyOutFrom ptr")
		if a+d < n && (k != 1 || one[0] != m.data[a+d]) {
			h.fatalf("byte at ptr %d = %q (%d), want %q", a+d, one[0], k, m.data[a+d])
		}
	}
	h.check()
}

// boundaries lists the positions where one segment of b ends and the
// next begins.
func (h *harness) boundaries(b *Buffer) []int {
	var out []int
	pos := 0
	for i := 0; i+1 < b.nsegs(); i++ {
		pos += b.seg(i).len()
		out = append(out, pos)
	}
	return out
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(buf[i:])
		}
	}
}

func (h *harness) check() {
	h.t.Helper()
	for i, b := range h.bufs {
		m := h.models[i]
		if err := checkInvariants(b); err != nil {
			h.fatalf("buffer %c: %v", 'A'+i, err)
		}
		if b.Len() != len(m.data) {
			h.fatalf("buffer %c: Len %d, model %d", 'A'+i, b.Len(), len(m.data))
		}
		got := make([]byte, b.Len())
		if k, err := b.CopyOut(got); err != nil || k != len(got) {
			h.fatalf("CopyOut: %d %v", k, err)
		}
		if !bytes.Equal(got, m.data) {
			j := 0
			for j < len(got) && got[j] == m.data[j] {
				j++
			}
			h.fatalf("buffer %c differs from model at %d of %d: got %q want %q", 'A'+i, j, len(got),
				trunc(got[j:]), trunc(m.data[j:]))
		}
		mp := 0
		for _, v := range b.Peek(-1, nil) {
			mp += len(v)
		}
		if mp != m.memPrefix() {
			h.fatalf("buffer %c: Peek covers %d bytes, model's memory prefix is %d", 'A'+i, mp, m.memPrefix())
		}
		cs := b.ContiguousSpace()
		if vecs := b.Peek(-1, nil); (len(vecs) == 0 && cs != 0) || (len(vecs) > 0 && cs != len(vecs[0])) {
			h.fatalf("buffer %c: ContiguousSpace %d", 'A'+i, cs)
		}
	}
}

// finish resets both buffers and checks that every reference was released
// exactly once and every file reference dropped.
func (h *harness) finish() {
	h.t.Helper()
	for _, b := range h.bufs {
		b.Reset()
		if b.Len() != 0 || b.nsegs() != 0 || b.spare != nil || len(b.held) > 0 {
			h.fatalf("Reset left blocks: len %d segs %d spare %v held %v", b.Len(), b.nsegs(), b.spare != nil, len(b.held) > 0)
		}
	}
	for k, rs := range h.refs {
		if rs.released != 1 {
			h.fatalf("reference %d (len %d) released %d times", k, len(rs.mem), rs.released)
		}
	}
	if h.file != nil && h.file.Refs() != 1 {
		h.fatalf("file has %d references after Reset, want 1", h.file.Refs())
	}
}

func diffFileData(n int) []byte {
	r := rand.New(rand.NewPCG(7, 7))
	p := make([]byte, n)
	for i := range p {
		if r.IntN(6) == 0 {
			p[i] = byte(r.IntN(256))
		} else {
			p[i] = alphabet[r.IntN(len(alphabet))]
		}
	}
	return p
}

func TestDifferential(t *testing.T) {
	data := diffFileData(1 << 20)
	f := tempFile(t, data)
	seeds, steps := 8, 20000
	if testing.Short() {
		seeds, steps = 3, 3000
	}
	for seed := range seeds {
		h := newHarness(t, randChooser{rand.New(rand.NewPCG(uint64(seed), 99))}, f, data)
		for range steps {
			h.step()
		}
		h.finish()
		if seed == 0 {
			t.Logf("stats: %v", h.stats)
		}
	}
}
