package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/goevent/goevent/bench/internal/summary"
)

const small = summary.Header + `
http	plain	goevent	cpu_per_req	us	13.4	13.1	13.9	lower
http	plain	nginx	cpu_per_req	us	12.8	11.3	16.4	lower
http	pipeline	goevent	cpu_per_req	us	1.07	1.06	1.63	lower
http	pipeline	<fast&http>	cpu_per_req	us	1.09	0.92	1.33	lower
http	plain	goevent	req_per_s	req/s	64900	49331	78755	higher
http	plain	nginx	req_per_s	req/s	69973	69973	69973	higher
`

func render(t *testing.T) string {
	t.Helper()
	rows, err := summary.Read(strings.NewReader(small))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := SVG(&buf, "http", rows); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestSVGWellFormed(t *testing.T) {
	d := xml.NewDecoder(strings.NewReader(render(t)))
	var rects, texts int
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		if s, ok := tok.(xml.StartElement); ok {
			switch s.Name.Local {
			case "rect":
				rects++
			case "text":
				texts++
			}
		}
	}
	// One background and six bars; a title, two panel titles, three test
	// names, six subject names and six values.
	if rects != 7 || texts != 18 {
		t.Errorf("got %d rects and %d texts, want 7 and 18", rects, texts)
	}
}

func TestSVGContent(t *testing.T) {
	svg := render(t)
	for _, want := range []string{
		"cpu per req (µs), lower is better",
		"req per s (req/s), higher is better",
		`fill="` + oursFill + `"`,
		`fill="` + peerFill + `"`,
		"&lt;fast&amp;http&gt;", // escaped
		">13.4<", ">64,900<", ">1.07<",
		// nginx's plain CPU bar: 12.8 of the group's top 16.4 (its high).
		`width="312.2"`,
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	// nginx req/s has no spread: no whisker; the other five bars have one.
	if n := strings.Count(svg, "<line "); n != 5 {
		t.Errorf("got %d whiskers, want 5", n)
	}
	if svg != render(t) {
		t.Error("two renderings of the same rows differ")
	}
}

func TestSVGNoRows(t *testing.T) {
	if err := SVG(io.Discard, "x", nil); !errors.Is(err, ErrNoRows) {
		t.Errorf("SVG of no rows = %v, want ErrNoRows", err)
	}
}

func TestUnitName(t *testing.T) {
	for u, want := range map[string]string{"us": "µs", "us/MB": "µs/MB", "user_s": "user s", "MB/s": "MB/s"} {
		if got := unitName(u); got != want {
			t.Errorf("unitName(%q) = %q, want %q", u, got, want)
		}
	}
}

func TestValue(t *testing.T) {
	for x, want := range map[float64]string{13.44: "13.4", 1.0: "1", 0.654: "0.654", 921841: "921,841", 100: "100"} {
		if got := Value(x); got != want {
			t.Errorf("Value(%v) = %q, want %q", x, got, want)
		}
	}
}
