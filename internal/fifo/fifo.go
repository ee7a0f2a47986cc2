// Package fifo is the project's one first-in first-out queue: a slice with
// a head index whose popped slots are reclaimed, so a queue that is pushed
// and popped forever reuses its memory instead of sliding down the heap
// (re-slicing q = q[1:] never frees the front, and every append past the
// end reallocates).
package fifo

// Queue is a FIFO of T. The zero value is an empty queue.
type Queue[T any] struct {
	items []T
	head  int
}

// Len is the number of queued items.
func (q *Queue[T]) Len() int { return len(q.items) - q.head }

// Push appends v at the back.
func (q *Queue[T]) Push(v T) { q.items = append(q.items, v) }

// Front returns the first item; the queue must not be empty.
func (q *Queue[T]) Front() *T { return &q.items[q.head] }

// At returns the i-th item from the front; i must be below Len.
func (q *Queue[T]) At(i int) *T { return &q.items[q.head+i] }

// Back returns the last item, or nil when the queue is empty.
func (q *Queue[T]) Back() *T {
	if q.Len() == 0 {
		return nil
	}
	return &q.items[len(q.items)-1]
}

// Pop drops the first item; the queue must not be empty. The popped slot
// is zeroed (no reference outlives its item), and the dead prefix is
// reclaimed when the queue empties or the prefix passes half the slice.
func (q *Queue[T]) Pop() {
	var zero T
	q.items[q.head] = zero
	q.head++
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
	} else if q.head > 64 && q.head*2 > len(q.items) {
		n := copy(q.items, q.items[q.head:])
		clear(q.items[n:])
		q.items, q.head = q.items[:n], 0
	}
}

// Clear empties the queue, keeping its memory.
func (q *Queue[T]) Clear() {
	clear(q.items)
	q.items, q.head = q.items[:0], 0
}
