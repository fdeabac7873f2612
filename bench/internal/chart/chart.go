// Package chart draws a suite's summary rows as one SVG of horizontal bar
// charts: a panel per metric, in it a group of bars per test, a bar per
// subject with its value and min–max whisker. goevent's bars are
// highlighted. The output depends only on the rows and their order.
package chart

import (
	"bufio"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/goevent/goevent/bench/internal/stats"
	"github.com/goevent/goevent/bench/internal/summary"
)

// ErrNoRows is returned by SVG when there is nothing to draw.
var ErrNoRows = errors.New("chart: no rows")

// Layout, in pixels.
const (
	width     = 820
	margin    = 10
	labelW    = 260 // subject names, right-aligned before the bars
	barX      = margin + labelW + 8
	barMaxW   = 400
	barH      = 14
	barGap    = 4
	titleH    = 24
	groupH    = 20 // the test name above its bars
	panelGap  = 16
	fontSize  = 12
	oursFill  = "#d62728"
	peerFill  = "#9aa5b1"
	whiskerSt = "#333333"
)

// A panel is one metric (with its unit and direction) over all tests.
type panel struct {
	metric, unit, better string
	groups               []*group
}

// A group is one test's bars within a panel.
type group struct {
	test string
	rows []summary.Row
}

// SVG writes the chart of rows, titled with suite, to w. Bars are scaled per
// test (the longest bar of a test is the widest), so bars compare within a
// test; the labels carry the values.
func SVG(w io.Writer, suite string, rows []summary.Row) error {
	if len(rows) == 0 {
		return ErrNoRows
	}
	panels := arrange(rows)
	height := margin + titleH
	for _, p := range panels {
		height += titleH
		for _, g := range p.groups {
			height += groupH + len(g.rows)*(barH+barGap)
		}
		height += panelGap
	}

	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="%d">`+"\n",
		width, height, width, height, fontSize)
	fmt.Fprintf(bw, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", width, height)
	y := margin
	fmt.Fprintf(bw, `<text x="%d" y="%d" font-size="15" font-weight="bold">%s: goevent (red) and peers (grey), median with min–max</text>`+"\n",
		margin, y+16, esc(suite))
	y += titleH
	for _, p := range panels {
		fmt.Fprintf(bw, `<text x="%d" y="%d" font-size="13" font-weight="bold">%s (%s), %s is better; bars scaled per test</text>`+"\n",
			margin, y+16, esc(strings.ReplaceAll(p.metric, "_", " ")), esc(unitName(p.unit)), p.better)
		y += titleH
		for _, g := range p.groups {
			y = drawGroup(bw, g, y)
		}
		y += panelGap
	}
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}

// drawGroup draws one test's bars from y down and returns the y below them.
func drawGroup(w io.Writer, g *group, y int) int {
	fmt.Fprintf(w, `<text x="%d" y="%d" font-style="italic">%s</text>`+"\n", margin, y+14, esc(g.test))
	y += groupH
	top := 0.0
	for _, r := range g.rows {
		top = math.Max(top, math.Max(r.High, r.Median))
	}
	scale := func(x float64) float64 {
		if top <= 0 || x <= 0 {
			return 0
		}
		return x / top * barMaxW
	}
	for _, r := range g.rows {
		fill, weight := peerFill, "normal"
		if r.Ours() {
			fill, weight = oursFill, "bold"
		}
		mid := float64(y) + barH/2
		fmt.Fprintf(w, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle" font-weight="%s">%s</text>`+"\n",
			margin+labelW, mid, weight, esc(r.Subject))
		fmt.Fprintf(w, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", barX, y, scale(r.Median), barH, fill)
		if r.High > r.Low {
			fmt.Fprintf(w, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n",
				barX+scale(r.Low), mid, barX+scale(r.High), mid, whiskerSt)
		}
		fmt.Fprintf(w, `<text x="%.1f" y="%.1f" dominant-baseline="middle" font-weight="%s">%s</text>`+"\n",
			barX+math.Max(scale(r.Median), scale(r.High))+6, mid, weight, esc(Value(r.Median)))
		y += barH + barGap
	}
	return y
}

// arrange groups rows into panels by metric and into groups by test, each
// in the order of first appearance.
func arrange(rows []summary.Row) []*panel {
	var panels []*panel
	byMetric := map[[3]string]*panel{}
	byTest := map[[4]string]*group{}
	for _, r := range rows {
		mk := [3]string{r.Metric, r.Unit, r.Better}
		p := byMetric[mk]
		if p == nil {
			p = &panel{metric: r.Metric, unit: r.Unit, better: r.Better}
			byMetric[mk] = p
			panels = append(panels, p)
		}
		gk := [4]string{r.Metric, r.Unit, r.Better, r.Test}
		g := byTest[gk]
		if g == nil {
			g = &group{test: r.Test}
			byTest[gk] = g
			p.groups = append(p.groups, g)
		}
		g.rows = append(g.rows, r)
	}
	return panels
}

// Value formats a bar's label: whole numbers with thousands separators from
// 100 up, three significant digits below.
func Value(x float64) string {
	if math.Abs(x) >= 100 {
		return stats.Group(x)
	}
	return strconv.FormatFloat(x, 'g', 3, 64)
}

// unitName spells the summary's ASCII units for people.
func unitName(u string) string {
	if u == "us" || strings.HasPrefix(u, "us/") {
		u = "µs" + u[2:]
	}
	return strings.ReplaceAll(u, "_", " ")
}

func esc(s string) string { return html.EscapeString(s) }
