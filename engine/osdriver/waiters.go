package osdriver

import "github.com/redosim/redosim/engine/core"

// waiter is one appender blocked until its LSN is acknowledged. Waiters
// are pooled per driver; done has room for one result, so releasing a
// waiter never blocks the releaser.
type waiter struct {
	lsn  core.LSN
	done chan error
}

func newWaiter() any { return &waiter{done: make(chan error, 1)} }

// waitQueue is one stream's blocked appenders in LSN order. Appends take
// their LSNs under the driver's mutex and queue under the same hold, so
// the queue is sorted by construction and an acknowledgement releases a
// prefix: only the appenders it covers wake (no broadcast). Its length is
// bounded by the number of goroutines blocked in appends.
type waitQueue struct {
	q    []*waiter
	head int
}

// push queues w; its LSN must not be below the last one queued.
func (wq *waitQueue) push(w *waiter) {
	if n := len(wq.q); n > wq.head && wq.q[n-1].lsn > w.lsn {
		panic("engine/osdriver: driver bug: waiter LSNs out of order")
	}
	if wq.head > 0 && wq.head == len(wq.q) {
		wq.q, wq.head = wq.q[:0], 0
	}
	wq.q = append(wq.q, w)
}

// popAcked moves every waiter at or below acked to out, in LSN order.
func (wq *waitQueue) popAcked(acked core.LSN, out []*waiter) []*waiter {
	for wq.head < len(wq.q) && wq.q[wq.head].lsn <= acked {
		out = append(out, wq.q[wq.head])
		wq.q[wq.head] = nil
		wq.head++
	}
	wq.compact()
	return out
}

// popAll moves every waiter to out.
func (wq *waitQueue) popAll(out []*waiter) []*waiter {
	return wq.popAcked(^core.LSN(0), out)
}

// compact drops the released prefix once it is most of the slice, so the
// backing array does not grow without bound.
func (wq *waitQueue) compact() {
	if wq.head == len(wq.q) {
		wq.q, wq.head = wq.q[:0], 0
		return
	}
	if wq.head > 64 && wq.head > len(wq.q)/2 {
		n := copy(wq.q, wq.q[wq.head:])
		clear(wq.q[n:])
		wq.q, wq.head = wq.q[:n], 0
	}
}

// release is a set of waiters to wake, once the driver's mutex is
// released: the acknowledged ones with nil, the failed ones with err.
type release struct {
	acked  []*waiter
	failed []*waiter
	err    error
}

func (r *release) reset() {
	clear(r.acked)
	clear(r.failed)
	r.acked, r.failed, r.err = r.acked[:0], r.failed[:0], nil
}

// wake delivers the results; call it without the driver's mutex.
func (r *release) wake() {
	for _, w := range r.acked {
		w.done <- nil
	}
	for _, w := range r.failed {
		w.done <- r.err
	}
}
