package core

// timerHeap is a binary min-heap of events ordered by deadline, then by
// the order they were scheduled, so timers with equal deadlines fire in the
// order they were added. Each event keeps its index (heapIdx) so removal
// and rescheduling cost O(log n).
type timerHeap []*Event

func (h timerHeap) less(i, j int) bool {
	a, b := h[i], h[j]
	if a.deadline != b.deadline {
		return a.deadline < b.deadline
	}
	return a.seq < b.seq
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIdx = i
	h[j].heapIdx = j
}

func (h timerHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.less(i, p) {
			break
		}
		h.swap(i, p)
		i = p
	}
}

func (h timerHeap) down(i int) bool {
	start := i
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			break
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			break
		}
		h.swap(i, m)
		i = m
	}
	return i > start
}

func (h *timerHeap) push(ev *Event) {
	ev.heapIdx = len(*h)
	*h = append(*h, ev)
	h.up(ev.heapIdx)
}

// remove takes ev out of the heap.
func (h *timerHeap) remove(ev *Event) {
	i := ev.heapIdx
	last := len(*h) - 1
	if i != last {
		h.swap(i, last)
	}
	(*h)[last] = nil
	*h = (*h)[:last]
	if i != last {
		if !h.down(i) {
			h.up(i)
		}
	}
	ev.heapIdx = -1
}

// fix restores order after ev's deadline changed.
func (h timerHeap) fix(ev *Event) {
	if !h.down(ev.heapIdx) {
		h.up(ev.heapIdx)
	}
}
