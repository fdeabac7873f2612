package evtag

import (
	"testing"
)

// benchMsg is a typical evrpc message: strings, a nested struct with an
// int array, and an array of structs with optional fields.
func benchMsg() *regressMsg {
	run := &regressRun{
		How:          "quickly",
		SomeBytes:    []byte("some bytes"),
		Notes:        []string{"first note", "second note"},
		LargeNumber:  ptr(uint64(1) << 40),
		OtherNumbers: []uint32{1, 2, 3, 4},
	}
	copy(run.FixedBytes[:], "twenty-four fixed bytes!")
	return &regressMsg{
		FromName: "niels",
		ToName:   "tester",
		Attack:   &regressKill{Weapon: "dagger", Action: "stab", HowOften: []uint32{3, 0x123, 70000}},
		Run:      []*regressRun{run, run},
	}
}

func BenchmarkMarshal(b *testing.B) {
	m := benchMsg()
	b.Run("Codec", func(b *testing.B) {
		var c Codec
		buf, _ := c.Append(nil, m)
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			buf, _ = c.Append(buf[:0], m)
		}
	})
	b.Run("Func", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Marshal(m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUnmarshal(b *testing.B) {
	data, err := Marshal(benchMsg())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Codec", func(b *testing.B) {
		var c Codec
		var m regressMsg
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if err := c.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Func", func(b *testing.B) {
		var m regressMsg
		b.ReportAllocs()
		for b.Loop() {
			if err := Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestMarshalAllocs checks the benchmark's cached path: appending to a
// buffer with room allocates nothing.
func TestMarshalAllocs(t *testing.T) {
	m := benchMsg()
	var c Codec
	buf, _ := c.Append(nil, m)
	if n := testing.AllocsPerRun(100, func() { buf, _ = c.Append(buf[:0], m) }); n > 0 {
		t.Errorf("Codec.Append allocates %v times, want 0", n)
	}
}
