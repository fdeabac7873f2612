package summary

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

const sample = Header + `
http	plain	goevent	cpu_per_req	us	13.4	13.1	13.9	lower
http	plain	nginx	cpu_per_req	us	12.8	11.3	16.4	lower

http	plain	goevent-2loops	req_per_s	req/s	64900	49331	78755	higher
`

func TestRead(t *testing.T) {
	rows, err := Read(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{"http", "plain", "goevent", "cpu_per_req", "us", 13.4, 13.1, 13.9, Lower},
		{"http", "plain", "nginx", "cpu_per_req", "us", 12.8, 11.3, 16.4, Lower},
		{"http", "plain", "goevent-2loops", "req_per_s", "req/s", 64900, 49331, 78755, Higher},
	}
	if len(rows) != len(want) {
		t.Fatalf("got %d rows, want %d", len(rows), len(want))
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
	if !rows[0].Ours() || rows[1].Ours() || !rows[2].Ours() {
		t.Errorf("Ours: got %v %v %v, want true false true", rows[0].Ours(), rows[1].Ours(), rows[2].Ours())
	}
}

func TestReadMalformed(t *testing.T) {
	row := "http\tplain\tgoevent\tcpu\tus\t2\t1\t3\tlower"
	for _, tc := range []struct{ name, in string }{
		{"empty", ""},
		{"no header", row + "\n"},
		{"other header", "suite\ttest\n" + row},
		{"few fields", Header + "\nhttp\tplain\tgoevent\tcpu\tus\t2\t1\t3\n"},
		{"many fields", Header + "\n" + row + "\textra\n"},
		{"not a number", Header + "\nhttp\tplain\tgoevent\tcpu\tus\tx\t1\t3\tlower\n"},
		{"NaN", Header + "\nhttp\tplain\tgoevent\tcpu\tus\tNaN\t1\t3\tlower\n"},
		{"infinite", Header + "\nhttp\tplain\tgoevent\tcpu\tus\t2\t1\t+Inf\tlower\n"},
		{"bad better", Header + "\nhttp\tplain\tgoevent\tcpu\tus\t2\t1\t3\tfaster\n"},
		{"empty subject", Header + "\nhttp\tplain\t\tcpu\tus\t2\t1\t3\tlower\n"},
		{"median outside range", Header + "\nhttp\tplain\tgoevent\tcpu\tus\t5\t1\t3\tlower\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in))
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("Read = %v, want an error wrapping ErrMalformed", err)
			}
		})
	}
}

func TestWriteRoundTrip(t *testing.T) {
	r1, ok := FromRuns("core", "n1000_a100", "libevent", "round_time", "us", Lower, []float64{693.25, 630, 957.5})
	if !ok {
		t.Fatal("FromRuns: no row from three runs")
	}
	if r1.Median != 693.25 || r1.Low != 630 || r1.High != 957.5 {
		t.Errorf("FromRuns = %+v, want median 693.25 in 630–957.5", r1)
	}
	if _, ok := FromRuns("core", "t", "s", "m", "u", Lower, nil); ok {
		t.Error("FromRuns of no runs gave a row")
	}
	var buf bytes.Buffer
	if err := Write(&buf, []Row{r1}); err != nil {
		t.Fatal(err)
	}
	want := Header + "\ncore\tn1000_a100\tlibevent\tround_time\tus\t693.25\t630\t957.5\tlower\n"
	if buf.String() != want {
		t.Errorf("Write =\n%q\nwant\n%q", buf.String(), want)
	}
	back, err := Read(&buf)
	if err != nil || len(back) != 1 || back[0] != r1 {
		t.Errorf("Read(Write(r)) = %+v, %v; want %+v", back, err, r1)
	}
}

func TestWriteRejectsBadRow(t *testing.T) {
	bad := Row{"http", "plain", "go\tevent", "cpu", "us", 1, 1, 1, Lower}
	if err := Write(new(bytes.Buffer), []Row{bad}); !errors.Is(err, ErrMalformed) {
		t.Errorf("Write of a subject with a tab = %v, want ErrMalformed", err)
	}
}

func TestNumber(t *testing.T) {
	for x, want := range map[float64]string{
		13.4: "13.4", 1234567.89: "1234570", 0.000123456789: "0.000123457", 921841: "921841", -3: "-3",
	} {
		if got := number(x); got != want {
			t.Errorf("number(%v) = %q, want %q", x, got, want)
		}
	}
}

func FuzzRead(f *testing.F) {
	f.Add(sample)
	f.Add(Header + "\nx\ty\tz\tm\tu\t1e300\t-1e300\t1e301\thigher\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := Read(strings.NewReader(in))
		if err != nil {
			return
		}
		// What Read accepts, Write must write and Read must read back.
		var buf bytes.Buffer
		if err := Write(&buf, rows); err != nil {
			t.Fatalf("Write of rows Read accepted: %v", err)
		}
		if _, err := Read(&buf); err != nil {
			t.Fatalf("Read of Write's output: %v", err)
		}
	})
}

func TestWriteRounded(t *testing.T) {
	rows := []Row{{"dnsd", "cached", "goevent", "qps", "queries/s", 66512.28149, 66512.2, 70000.0004, Higher}}
	var b bytes.Buffer
	if err := WriteRounded(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := Header + "\ndnsd\tcached\tgoevent\tqps\tqueries/s\t66512.281\t66512.2\t70000\thigher\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	if err := WriteRounded(&b, []Row{{Suite: "x"}}); !errors.Is(err, ErrMalformed) {
		t.Errorf("bad row: err = %v, want ErrMalformed", err)
	}
}

func TestSave(t *testing.T) {
	path := t.TempDir() + "/" + FileName
	rows := []Row{{"dnsd", "cached", "goevent", "qps", "queries/s", 1.5, 1, 2, Higher}}
	if err := Save(path, rows, WriteRounded); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != rows[0] {
		t.Errorf("read back %+v, want %+v", got, rows)
	}
	if err := Save(t.TempDir()+"/none/"+FileName, rows, Write); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
}
