package evhttp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/goevent/goevent/evbuffer"
)

// wsfFrame builds a frame as a peer would send it: masked with a fixed key
// when mask is set, lengths in their minimal form.
func wsfFrame(b0 byte, payload []byte, mask bool) []byte {
	key := [4]byte{0x11, 0x22, 0x33, 0x44}
	out := appendFrameHeader(nil, b0&0x80 != 0, Opcode(b0&0x0F), len(payload), mask, key)
	out[0] = b0
	start := len(out)
	out = append(out, payload...)
	if mask {
		maskBytes(out[start:], key, 0)
	}
	return out
}

// wsfParse runs a server-side parser (masked frames required) over data and
// returns the frames and messages it produced and its final error.
func wsfParse(data []byte, requireMask bool, maxFrame, maxMsg int64, chunk int) (events []string, err error) {
	p := wsParser{requireMask: requireMask, maxFrame: maxFrame, maxMessage: maxMsg}
	var in, msg evbuffer.Buffer
	feed := func(b []byte) error {
		in.Add(b)
		for {
			st, f, err := p.step(&in, &msg)
			switch st {
			case NeedMore:
				return nil
			case Corrupt, TooLong:
				return err
			}
			switch {
			case f.op.IsControl():
				events = append(events, f.op.String()+":"+string(p.control()))
			case f.msgOp != 0:
				b := make([]byte, msg.Len())
				msg.Remove(b)
				events = append(events, f.msgOp.String()+":"+string(b))
			}
		}
	}
	for len(data) > 0 && err == nil {
		n := min(chunk, len(data))
		err = feed(data[:n])
		data = data[n:]
	}
	return events, err
}

func TestWSFrameParserMalformed(t *testing.T) {
	long := func(n int) []byte { return bytes.Repeat([]byte{'a'}, n) }
	cp := func(code int, reason string) []byte {
		return append(binary.BigEndian.AppendUint16(nil, uint16(code)), reason...)
	}
	tests := []struct {
		name string
		data []byte
		want error
		code int
	}{
		{"unmasked client frame", wsfFrame(0x81, []byte("hi"), false), ErrWSProtocol, 1002},
		{"rsv1", wsfFrame(0xC1, []byte("hi"), true), ErrWSProtocol, 1002},
		{"rsv3", wsfFrame(0x91, []byte("hi"), true), ErrWSProtocol, 1002},
		{"opcode 3", wsfFrame(0x83, nil, true), ErrWSProtocol, 1002},
		{"opcode 0xB", wsfFrame(0x8B, nil, true), ErrWSProtocol, 1002},
		{"ping over 125", wsfFrame(0x89, long(126), true), ErrWSProtocol, 1002},
		{"fragmented ping", wsfFrame(0x09, []byte("x"), true), ErrWSProtocol, 1002},
		{"fragmented close", wsfFrame(0x08, nil, true), ErrWSProtocol, 1002},
		{"continuation first", wsfFrame(0x80, []byte("x"), true), ErrWSProtocol, 1002},
		{"text inside fragmented", append(wsfFrame(0x01, []byte("a"), true), wsfFrame(0x81, []byte("b"), true)...), ErrWSProtocol, 1002},
		{"bad utf8", wsfFrame(0x81, []byte{0xC3, 0x28}, true), ErrWSInvalidUTF8, 1007},
		{"surrogate", wsfFrame(0x81, []byte{0xED, 0xA0, 0x80}, true), ErrWSInvalidUTF8, 1007},
		{"utf8 cut at end", wsfFrame(0x81, []byte{'a', 0xE2, 0x82}, true), ErrWSInvalidUTF8, 1007},
		{"utf8 across fragments bad", append(wsfFrame(0x01, []byte{0xE2}, true), wsfFrame(0x80, []byte{0x28, 0xA1}, true)...), ErrWSInvalidUTF8, 1007},
		{"close 1 byte", wsfFrame(0x88, []byte{3}, true), ErrWSProtocol, 1002},
		{"close code 999", wsfFrame(0x88, cp(999, ""), true), ErrWSProtocol, 1002},
		{"close code 1005", wsfFrame(0x88, cp(1005, ""), true), ErrWSProtocol, 1002},
		{"close code 1006", wsfFrame(0x88, cp(1006, ""), true), ErrWSProtocol, 1002},
		{"close code 2000", wsfFrame(0x88, cp(2000, ""), true), ErrWSProtocol, 1002},
		{"close code 5000", wsfFrame(0x88, cp(5000, ""), true), ErrWSProtocol, 1002},
		{"close bad reason", wsfFrame(0x88, cp(1000, "\xff"), true), ErrWSInvalidUTF8, 1007},
		{"64-bit top bit", []byte{0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, ErrWSProtocol, 1002},
		{"non-minimal 16", []byte{0x82, 0xFE, 0, 5, 1, 2, 3, 4}, ErrWSProtocol, 1002},
		{"non-minimal 64", []byte{0x82, 0xFF, 0, 0, 0, 0, 0, 0, 1, 0, 1, 2, 3, 4}, ErrWSProtocol, 1002},
		{"frame too big", []byte{0x82, 0xFF, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4}, ErrWSTooLarge, 1009},
		{"message too big", append(wsfFrame(0x02, long(600), true), wsfFrame(0x80, long(600), true)...), ErrWSTooLarge, 1009},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, chunk := range []int{1, 3, 1 << 20} {
				_, err := wsfParse(tt.data, true, 1000, 1000, chunk)
				if !errors.Is(err, tt.want) {
					t.Fatalf("chunk %d: error %v, want %v", chunk, err, tt.want)
				}
				if c := wsCloseCode(err); c != tt.code {
					t.Fatalf("close code %d, want %d", c, tt.code)
				}
			}
		})
	}
}

func TestWSFrameParserValid(t *testing.T) {
	var data []byte
	data = append(data, wsfFrame(0x81, []byte("héllo"), true)...)
	data = append(data, wsfFrame(0x01, []byte("frag \xE2"), true)...)
	data = append(data, wsfFrame(0x89, []byte("p"), true)...) // a ping between fragments
	data = append(data, wsfFrame(0x00, []byte("\x82"), true)...)
	data = append(data, wsfFrame(0x80, []byte("\xAC end"), true)...)
	data = append(data, wsfFrame(0x82, bytes.Repeat([]byte{7}, 300), true)...)
	data = append(data, wsfFrame(0x82, bytes.Repeat([]byte{9}, 70000), true)...)
	data = append(data, wsfFrame(0x8A, nil, true)...)
	data = append(data, wsfFrame(0x88, append([]byte{0x03, 0xE8}, "bye"...), true)...)
	want := []string{"Text:héllo", "Ping:p", "Text:frag € end", "Binary:" + strings.Repeat("\x07", 300),
		"Binary:" + strings.Repeat("\x09", 70000), "Pong:", "Close:\x03\xe8bye"}
	for _, chunk := range []int{1, 2, 7, 1000, 1 << 20} {
		got, err := wsfParse(data, true, 1<<20, 1<<20, chunk)
		if err != nil {
			t.Fatalf("chunk %d: %v", chunk, err)
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("chunk %d: got %.200q\nwant %.200q", chunk, got, want)
		}
	}
	// The client side wants unmasked frames and refuses masked ones.
	if _, err := wsfParse(wsfFrame(0x81, []byte("x"), true), false, 100, 100, 10); !errors.Is(err, ErrWSProtocol) {
		t.Fatalf("masked server frame: %v", err)
	}
	got, err := wsfParse(wsfFrame(0x81, []byte("ok"), false), false, 100, 100, 1)
	if err != nil || len(got) != 1 || got[0] != "Text:ok" {
		t.Fatalf("unmasked server frame: %q %v", got, err)
	}
}

func TestWSFrameHeaderLengths(t *testing.T) {
	for _, n := range []int{0, 125, 126, 65535, 65536, 1 << 20} {
		h := appendFrameHeader(nil, true, OpBinary, n, false, [4]byte{})
		var wantLen int
		switch {
		case n <= 125:
			wantLen = 2
		case n <= 65535:
			wantLen = 4
		default:
			wantLen = 10
		}
		if len(h) != wantLen {
			t.Fatalf("n=%d: header of %d bytes, want %d", n, len(h), wantLen)
		}
		p := wsParser{requireMask: false, maxFrame: 1 << 30, maxMessage: 1 << 30}
		var in, msg evbuffer.Buffer
		in.Add(h)
		in.Add(make([]byte, n))
		st, f, err := p.step(&in, &msg)
		if st != AllRead || err != nil || f.msgOp != OpBinary || msg.Len() != n {
			t.Fatalf("n=%d: %v %+v %v len %d", n, st, f, err, msg.Len())
		}
	}
}

func TestWSUTF8Validator(t *testing.T) {
	valid := "aé€😀z"
	for cut1 := 0; cut1 <= len(valid); cut1++ {
		for cut2 := cut1; cut2 <= len(valid); cut2++ {
			var v utf8Validator
			ok := v.write([]byte(valid[:cut1])) && v.write([]byte(valid[cut1:cut2])) && v.write([]byte(valid[cut2:]))
			if !ok || !v.complete() {
				t.Fatalf("cuts %d,%d: valid text refused", cut1, cut2)
			}
		}
	}
	for _, bad := range []string{"\xff", "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\xE2\x82"} {
		for cut := 0; cut <= len(bad); cut++ {
			var v utf8Validator
			if v.write([]byte(bad[:cut])) && v.write([]byte(bad[cut:])) && v.complete() {
				t.Fatalf("%q cut at %d: accepted", bad, cut)
			}
		}
	}
}

func TestWSOpcodeString(t *testing.T) {
	if OpText.String() != "Text" || Opcode(3).String() != "Opcode(3)" || !OpPing.IsControl() || OpBinary.IsControl() {
		t.Fatal("Opcode names or classes wrong")
	}
}
