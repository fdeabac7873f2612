package static

import (
	"strconv"
	"strings"
)

// AcceptsGzip reports whether an Accept-Encoding field value lets the
// server send a gzip-coded body (RFC 9110 §12.5.3): "gzip" or "x-gzip"
// with a non-zero weight, or "*" with one when gzip is not named. Codings
// are case-insensitive; a malformed weight counts as zero.
func AcceptsGzip(v string) bool {
	gzip, star := -1.0, -1.0
	for _, item := range strings.Split(v, ",") {
		name, params, _ := strings.Cut(item, ";")
		name = strings.Trim(name, " \t")
		q := weight(params)
		switch {
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			gzip = max(gzip, q)
		case name == "*":
			star = max(star, q)
		}
	}
	if gzip >= 0 {
		return gzip > 0
	}
	return star > 0
}

// weight returns the q parameter of an Accept-Encoding element's
// parameters, 1 when absent and 0 when malformed.
func weight(params string) float64 {
	for p := range strings.SplitSeq(params, ";") {
		k, val, ok := strings.Cut(strings.Trim(p, " \t"), "=")
		if !ok || !strings.EqualFold(strings.Trim(k, " \t"), "q") {
			continue
		}
		val = strings.Trim(val, " \t")
		if len(val) == 0 || len(val) > 5 || (val[0] != '0' && val[0] != '1') {
			return 0
		}
		q, err := strconv.ParseFloat(val, 64)
		if err != nil || q < 0 || q > 1 {
			return 0
		}
		return q
	}
	return 1
}
