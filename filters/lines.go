package filters

import (
	"fmt"

	"github.com/goevent/goevent/bufferevent"
	"github.com/goevent/goevent/evbuffer"
)

// LineFramer returns a FilterFunc that passes whole lines through, ending
// each with a single LF: lines ending in CRLF or LF come out ending in LF.
// It is a small example of a filter of one's own that keeps no state: a
// partial line simply stays in src until its end arrives, and a line that
// does not fit in what limit leaves also stays in src, so nothing is held
// inside the filter. In Finished mode a last line without an end goes out
// with an LF added; in Normal and Flush modes it waits. A line longer than
// maxLine bytes (without its end) is an error wrapping ErrLineTooLong.
func LineFramer(maxLine int) bufferevent.FilterFunc {
	return func(src, dst *evbuffer.Buffer, limit int, mode bufferevent.FlushMode) (bufferevent.FilterResult, error) {
		wrote := 0
		for src.Len() > 0 {
			eol, eolLen := src.SearchEOL(nil, evbuffer.EOLCRLF)
			n := eol.Pos
			if n < 0 {
				if src.Len() > maxLine+1 { // +1: a CR whose LF is still to come
					return bufferevent.FilterError, fmt.Errorf("%w: more than %d bytes", ErrLineTooLong, maxLine)
				}
				if mode != bufferevent.Finished {
					break
				}
				n, eolLen = src.Len(), 0
			}
			if n > maxLine {
				return bufferevent.FilterError, fmt.Errorf("%w: %d bytes", ErrLineTooLong, n)
			}
			if limit >= 0 && wrote+n+1 > limit {
				break
			}
			if _, err := src.RemoveBuffer(dst, n); err != nil {
				return bufferevent.FilterError, err
			}
			if err := src.Drain(eolLen); err != nil {
				return bufferevent.FilterError, err
			}
			if err := dst.AddString("\n"); err != nil {
				return bufferevent.FilterError, err
			}
			wrote += n + 1
		}
		if wrote == 0 {
			return bufferevent.FilterNeedMore, nil
		}
		return bufferevent.FilterOK, nil
	}
}
