package evrpc

// callQueue is a FIFO of calls waiting for a connection. It reuses its
// array, so that a steady stream of calls queues without allocating.
type callQueue struct {
	calls []*Call // calls[head:] are waiting
	head  int
}

func (q *callQueue) len() int { return len(q.calls) - q.head }

func (q *callQueue) push(c *Call) {
	if q.head > 0 && q.head == len(q.calls) {
		q.calls, q.head = q.calls[:0], 0
	} else if q.head > 0 && len(q.calls) == cap(q.calls) && q.head >= len(q.calls)/2 {
		// Full with more than half of it already taken: slide the rest
		// down rather than grow.
		n := copy(q.calls, q.calls[q.head:])
		clear(q.calls[n:])
		q.calls, q.head = q.calls[:n], 0
	}
	q.calls = append(q.calls, c)
}

// pop removes and returns the first call; the queue must not be empty.
func (q *callQueue) pop() *Call {
	c := q.calls[q.head]
	q.calls[q.head] = nil
	q.head++
	return c
}

// remove takes c out of the queue and reports whether it was there.
func (q *callQueue) remove(c *Call) bool {
	for i := q.head; i < len(q.calls); i++ {
		if q.calls[i] == c {
			copy(q.calls[i:], q.calls[i+1:])
			q.calls[len(q.calls)-1] = nil
			q.calls = q.calls[:len(q.calls)-1]
			return true
		}
	}
	return false
}

// drain empties the queue and returns the calls that were in it.
func (q *callQueue) drain() []*Call {
	calls := q.calls[q.head:]
	q.calls, q.head = nil, 0
	return calls
}
