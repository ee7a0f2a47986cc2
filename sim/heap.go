package sim

// The event queue is a 4-ary min-heap ordered by (at, seq). Four children per
// node halve the depth of a binary heap and keep siblings on one cache line
// of pointers, which is what the event rate is bound by.

const heapArity = 4

func (a *event) before(b *event) bool {
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (l *Loop) push(ev *event) {
	ev.index = len(l.heap)
	l.heap = append(l.heap, ev)
	l.up(ev.index)
}

func (l *Loop) popTop() {
	h := l.heap
	last := len(h) - 1
	top := h[0]
	h[0] = h[last]
	h[0].index = 0
	h[last] = nil
	l.heap = h[:last]
	top.index = -1
	if last > 0 {
		l.down(0)
	}
}

// remove takes a queued event out of the heap and returns it to the pool.
func (l *Loop) remove(ev *event) {
	i := ev.index
	last := len(l.heap) - 1
	if i != last {
		l.heap[i] = l.heap[last]
		l.heap[i].index = i
	}
	l.heap[last] = nil
	l.heap = l.heap[:last]
	ev.index = -1
	ev.fn = nil
	ev.gen++
	l.free = append(l.free, ev)
	if i < len(l.heap) {
		l.down(i)
		l.up(i)
	}
}

func (l *Loop) up(i int) {
	h := l.heap
	ev := h[i]
	for i > 0 {
		parent := (i - 1) / heapArity
		if !ev.before(h[parent]) {
			break
		}
		h[i] = h[parent]
		h[i].index = i
		i = parent
	}
	h[i] = ev
	ev.index = i
}

func (l *Loop) down(i int) {
	h := l.heap
	n := len(h)
	ev := h[i]
	for {
		first := i*heapArity + 1
		if first >= n {
			break
		}
		best := first
		end := min(first+heapArity, n)
		for c := first + 1; c < end; c++ {
			if h[c].before(h[best]) {
				best = c
			}
		}
		if !h[best].before(ev) {
			break
		}
		h[i] = h[best]
		h[i].index = i
		i = best
	}
	h[i] = ev
	ev.index = i
}
