package bufferevent

import "testing"

func TestWhatString(t *testing.T) {
	for _, c := range []struct {
		w    What
		want string
	}{
		{0, "0"},
		{EOF | Reading, "Reading|EOF"},
		{Timeout | Writing, "Writing|Timeout"},
		{Connected, "Connected"},
		{Error | 0x04, "Error|0x4"},
	} {
		if got := c.w.String(); got != c.want {
			t.Errorf("%#x.String() = %q, want %q", uint8(c.w), got, c.want)
		}
	}
	if Reading != 0x01 || Writing != 0x02 || EOF != 0x10 || Error != 0x20 || Timeout != 0x40 || Connected != 0x80 {
		t.Error("What values differ from libevent's BEV_EVENT_*")
	}
	if (Read | Write).String() != "Read|Write" {
		t.Error("Direction.String")
	}
}
