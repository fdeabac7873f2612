package evtag

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/goevent/goevent/internal/basetest"
)

// The tests in this file compare evtag with libevent itself:
// testdata/evtag_peer.c, compiled against the installed libevent-dev (CI
// installs Debian's libevent-dev and a C compiler), runs libevent's evtag
// functions on commands the test writes to its stdin.

// requirePeer is basetest.PeerUnavailable.
func requirePeer(t testing.TB, what string, err error) {
	t.Helper()
	basetest.PeerUnavailable(t, what, err)
}

// buildPeer compiles testdata/evtag_peer.c with cc against libevent and
// returns the binary's path.
func buildPeer(t testing.TB) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		requirePeer(t, "cc", err)
	}
	flags := []string{"-levent"}
	if pc, err := exec.LookPath("pkg-config"); err == nil {
		if out, err := exec.Command(pc, "--cflags", "--libs", "libevent").Output(); err == nil {
			flags = strings.Fields(string(out))
		}
	}
	bin := filepath.Join(t.TempDir(), "evtag_peer")
	args := append([]string{"-O1", "-o", bin, filepath.Join("testdata", "evtag_peer.c")}, flags...)
	if out, err := exec.Command(cc, args...).CombinedOutput(); err != nil {
		requirePeer(t, "libevent-dev (cc "+strings.Join(args, " ")+")", fmt.Errorf("%v\n%s", err, out))
	}
	return bin
}

// peer is a running evtag_peer process.
type peer struct {
	t   testing.TB
	in  io.WriteCloser
	out *bufio.Scanner
}

// startPeer builds and starts the C peer; it is stopped when the test
// ends.
func startPeer(t testing.TB) *peer {
	t.Helper()
	cmd := exec.Command(buildPeer(t))
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close() // the peer exits at end of input
		if err := cmd.Wait(); err != nil {
			t.Errorf("evtag_peer (pid %d): %v", cmd.Process.Pid, err)
		}
	})
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 16<<20)
	return &peer{t: t, in: in, out: sc}
}

// do sends one command and returns the peer's answer.
func (p *peer) do(format string, args ...any) string {
	p.t.Helper()
	if _, err := fmt.Fprintf(p.in, format+"\n", args...); err != nil {
		p.t.Fatalf("writing to evtag_peer: %v", err)
	}
	if !p.out.Scan() {
		p.t.Fatalf("evtag_peer gave no answer to %q: %v", fmt.Sprintf(format, args...), p.out.Err())
	}
	return p.out.Text()
}

// hexOf is the peer's notation for bytes: hex, or "-" for none.
func hexOf(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return hex.EncodeToString(b)
}

func TestPeer(t *testing.T) {
	p := startPeer(t)
	t.Run("Encode", func(t *testing.T) { testPeerEncode(t, p) })
	t.Run("Decode", func(t *testing.T) { testPeerDecode(t, p) })
	t.Run("Struct", func(t *testing.T) { testPeerStruct(t, p) })
	t.Run("StructMutated", func(t *testing.T) { testPeerStructMutated(t, p) })
}

// testPeerEncode checks Go's encodings against libevent's, for the
// reference vectors and for random values of every size.
func testPeerEncode(t *testing.T, p *peer) {
	check := func(got []byte, cmd string, args ...any) {
		t.Helper()
		if want := p.do(cmd, args...); hexOf(got) != want {
			t.Errorf("%s: Go % x, libevent %s", fmt.Sprintf(cmd, args...), got, want)
		}
	}
	for _, tc := range tagVectors {
		check(AppendTag(nil, tc.tag), "tag %d", tc.tag)
	}
	for _, tc := range intVectors {
		check(AppendInt(nil, tc.v), "int %d", tc.v)
	}
	for _, tc := range int64Vectors {
		check(AppendInt64(nil, tc.v), "int64 %d", tc.v)
	}
	n := 2000
	if testing.Short() {
		n = 200
	}
	r := newRandFiller(3)
	for range n {
		tag, v := uint32(r.number()), r.number()
		data := r.bytes(0)
		str := r.bytes(1)
		check(AppendTag(nil, tag), "tag %d", tag)
		check(AppendInt(nil, uint32(v)), "int %d", uint32(v))
		check(AppendInt64(nil, v), "int64 %d", v)
		check(EncodeInt(nil, tag, uint32(v)), "mint %d %d", tag, uint32(v))
		check(EncodeInt64(nil, tag, v), "mint64 %d %d", tag, v)
		b, _ := EncodeString(nil, tag, string(str))
		check(b, "mstring %d %s", tag, hexOf(str))
		b, _ = EncodeBytes(nil, tag, data)
		check(b, "mbytes %d %s", tag, hexOf(data))
		check(EncodeTimeval(nil, tag, uint32(v), uint32(v>>32)%1000000), "mtimeval %d %d %d", tag, uint32(v), uint32(v>>32)%1000000)
	}
}

// testPeerDecode feeds the same bytes, valid elements and damaged ones,
// to Go's decoders and libevent's and compares what each accepts and
// reads.
func testPeerDecode(t *testing.T, p *peer) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	r := newRandFiller(4)
	for i := range n {
		in, tag := randomElement(r)
		h := hexOf(in)
		compare := func(got, cmd string, args ...any) {
			t.Helper()
			if want := p.do(cmd, args...); got != want {
				t.Errorf("%d: %s: Go %q, libevent %q", i, fmt.Sprintf(cmd, args...), got, want)
			}
		}
		compare(goDecode(DecodeTag(in)), "dtag %s", h)
		v, c, err := DecodeInt(in)
		compare(goDecode(uint64(v), c, err), "dint %s", h)
		compare(goDecode(DecodeInt64(in)), "dint64 %s", h)

		d := NewDecoder(in)
		x, err := d.Int(tag)
		d.Reset(in) // each read below starts from the beginning, as each C command does
		compare(okOr(err, "%d", x), "uint %d %s", tag, h)
		d.Reset(in)
		x64, err := d.Int64(tag)
		compare(okOr(err, "%d", x64), "uint64 %d %s", tag, h)
		d.Reset(in)
		s, err := d.String(tag)
		if i := strings.IndexByte(s, 0); i >= 0 {
			s = s[:i] // what C sees
		}
		compare(okOr(err, "%s", hexOf([]byte(s))), "ustring %d %s", tag, h)
		d.Reset(in)
		size := r.rng.IntN(4)
		if length, err := d.PayloadLength(); err == nil && int64(length) <= int64(len(in)) && r.rng.IntN(2) == 0 {
			size = int(length)
		}
		fixed := make([]byte, size)
		err = d.Fixed(tag, fixed)
		compare(okOr(err, "%s", hexOf(fixed)), "ufixed %d %d %s", tag, size, h)
		d.Reset(in)
		sec, usec, err := d.Timeval(tag)
		compare(okOr(err, "%d %d", sec, usec), "utimeval %d %s", tag, h)

		d.Reset(in)
		peekTag, err1 := d.Peek()
		total, err2 := d.PeekLength()
		length, err3 := d.PayloadLength()
		peek := fmt.Sprintf("%s %s %s", valOr(err1, peekTag), valOr(err2, uint32(total)), valOr(err3, length))
		compare(peek, "peek %s", h)
		err = d.Skip()
		compare(okOr(err, "%d", d.Len()), "consume %s", h)
	}
}

// randomElement returns a random element, whole or damaged, and the tag
// to read it with (usually the right one).
func randomElement(r *randFiller) ([]byte, uint32) {
	tag := uint32(r.number())
	if r.rng.IntN(3) > 0 {
		tag &= 0x3ff
	}
	v := r.number()
	var b []byte
	switch r.rng.IntN(7) {
	case 0:
		b = EncodeInt(nil, tag, uint32(v))
	case 1:
		b = EncodeInt64(nil, tag, v)
	case 2:
		b, _ = EncodeBytes(nil, tag, r.bytes(0))
	case 3:
		b = EncodeTimeval(nil, tag, uint32(v), uint32(v>>40))
	case 4: // an int element with a padded payload or a non-minimal int
		payload := AppendInt(nil, uint32(v))
		if r.rng.IntN(2) == 0 {
			payload = append(payload, r.upTo(3)...)
		} else {
			payload = append([]byte{payload[0] + 0x20}, append(payload[1:], 0)...)
		}
		b, _ = EncodeBytes(nil, tag, payload)
	case 5:
		b = r.upTo(8)
	default:
		b = append(AppendTag(nil, tag), r.upTo(6)...)
	}
	switch r.rng.IntN(4) {
	case 0:
		if len(b) > 0 {
			b = b[:r.rng.IntN(len(b))]
		}
	case 1:
		if len(b) > 0 {
			b[r.rng.IntN(len(b))] ^= byte(1 << r.rng.IntN(8))
		}
	}
	if r.rng.IntN(4) == 0 {
		b = append(b, r.upTo(4)...)
	}
	if r.rng.IntN(5) == 0 {
		tag = uint32(r.rng.IntN(4))
	}
	return b, tag
}

func goDecode[V uint32 | uint64](v V, n int, err error) string {
	if err != nil {
		return "err"
	}
	return fmt.Sprintf("ok %d %d", v, n)
}

func okOr(err error, format string, args ...any) string {
	if err != nil {
		return "err"
	}
	return "ok " + fmt.Sprintf(format, args...)
}

func valOr(err error, v uint32) string {
	if err != nil {
		return "err"
	}
	return fmt.Sprint(v)
}

// testPeerStruct marshals random structs in Go for libevent to decode
// and encode again, and decodes libevent's encoding in Go.
func testPeerStruct(t *testing.T, p *peer) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	r := newRandFiller(5)
	var c Codec
	for i := range n {
		v := fillRandom[outer](r)
		b, err := c.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		got := p.do("outer %s", hexOf(b))
		if got != "ok "+hexOf(b) {
			t.Fatalf("%d: libevent decoded and re-encoded\n% x\nas %s", i, b, got)
		}
		fromC := unhex(t, strings.TrimPrefix(got, "ok "))
		var back outer
		if err := c.Unmarshal(fromC, &back); err != nil {
			t.Fatalf("%d: libevent's encoding: %v", i, err)
		}
		if !reflect.DeepEqual(&back, v) {
			t.Fatalf("%d: from libevent:\n got %+v\nwant %+v", i, back, v)
		}
	}
}

// testPeerStructMutated damages valid encodings and checks that Go and
// libevent accept and reject the same ones, and read the same values
// from those they accept.
func testPeerStructMutated(t *testing.T, p *peer) {
	n := 3000
	if testing.Short() {
		n = 300
	}
	r := newRandFiller(6)
	var c Codec
	accepted := 0
	for i := range n {
		b, _ := c.Marshal(fillRandom[outer](r))
		b = mutate(r, b)
		want := p.do("outer %s", hexOf(b))
		var v outer
		err := c.Unmarshal(b, &v)
		if (err == nil) != strings.HasPrefix(want, "ok") {
			t.Errorf("%d: % x: Go err = %v, libevent %q", i, b, err, want)
			continue
		}
		if err != nil || hasNUL(&v) {
			continue // C strings end at a NUL: the re-encodings differ
		}
		accepted++
		again, _ := c.Marshal(&v)
		if got := "ok " + hexOf(again); got != want {
			t.Errorf("%d: % x: Go read and re-encoded\n%s\nlibevent\n%s", i, b, got, want)
		}
	}
	t.Logf("%d of %d damaged messages accepted by both", accepted, n)
}

// mutate damages b in one of several ways.
func mutate(r *randFiller, b []byte) []byte {
	b = bytes.Clone(b)
	switch r.rng.IntN(6) {
	case 0: // truncate
		return b[:r.rng.IntN(len(b)+1)]
	case 1: // flip a bit
		b[r.rng.IntN(len(b))] ^= byte(1 << r.rng.IntN(8))
	case 2: // overwrite a byte
		b[r.rng.IntN(len(b))] = byte(r.rng.IntN(256))
	case 3: // repeat an element
		d := NewDecoder(b)
		if n, err := d.PeekLength(); err == nil && n <= len(b) {
			b = append(b, b[:n]...)
		}
	case 4: // drop the first element
		d := NewDecoder(b)
		if d.Skip() == nil {
			b = d.Remaining()
		}
	default: // append an unknown or well-known element
		b = EncodeInt(b, uint32(r.rng.IntN(16)), uint32(r.number()))
	}
	return b
}

func hasNUL(v *outer) bool {
	strs := append([]string{v.S, v.Req.Name}, v.Strs...)
	if v.OS != nil {
		strs = append(strs, *v.OS)
	}
	if v.OIn != nil {
		strs = append(strs, v.OIn.Name)
	}
	for _, in := range v.Ins {
		strs = append(strs, in.Name)
	}
	for _, s := range strs {
		if strings.IndexByte(s, 0) >= 0 {
			return true
		}
	}
	return false
}
