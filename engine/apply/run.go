//simrun:realworld RunParallel is the real-CPU executor for benchmarks and simrun redo apply; worlds use RunVirtual.

package apply

import (
	"fmt"
	"sync"

	"github.com/redosim/redosim/engine/codec"
)

// runMsg is what the reader hands a worker: a batch of record indexes, or a
// barrier to acknowledge once everything before it is applied.
type runMsg struct {
	idx     []int
	barrier *sync.WaitGroup
}

// runWorker is one worker goroutine of RunParallel. Its fields belong to the
// goroutine until the reader has waited for it.
type runWorker struct {
	in     chan runMsg
	stats  Stats
	err    error
	errIdx int
}

// runner is the reader side of RunParallel.
type runner struct {
	st      *State
	p       *Plan
	workers []*runWorker
	pending [][]int
	done    sync.WaitGroup
}

// RunParallel executes the plan on st with one goroutine per worker: the
// calling goroutine reads the plan and dispatches, workers apply rows, and
// each barrier record is applied by the reader once every worker has
// drained. It returns the first failure in log order among those seen; on
// a failure the state holds a partial apply, which a later run repairs.
// Apply is CPU-bound (StateConfig.RowSpin); this executor is for benchmarks
// and real disks, never inside a simulated world (use RunVirtual there).
func RunParallel(st *State, p *Plan) (Stats, error) {
	if st == nil || p == nil {
		return Stats{}, fmt.Errorf("%w: nil state or plan", ErrBadConfig)
	}
	for i, s := range p.steps {
		if s.Kind == StepDispatch && p.recs[i].Type != codec.TypeRow {
			return Stats{}, fmt.Errorf("%w: record %d is a %s ddl but not a barrier",
				ErrBadPlan, i, p.recs[i].DDL.Kind)
		}
	}
	st.register(p.tables)
	r := &runner{st: st, p: p, pending: make([][]int, p.cfg.Workers)}
	r.start()
	stats, err := r.read()
	r.stop()
	for _, w := range r.workers {
		stats.add(w.stats)
	}
	if werr := r.firstError(); werr != nil {
		err = werr // a worker failure precedes any barrier the reader reached
	}
	return stats, err
}

// start launches the workers.
func (r *runner) start() {
	depth := max(1, r.p.cfg.QueueLen/r.p.cfg.BatchLen)
	for range r.p.cfg.Workers {
		w := &runWorker{in: make(chan runMsg, depth)}
		r.workers = append(r.workers, w)
		r.done.Add(1)
		go w.loop(r.st, r.p.recs, &r.done)
	}
}

// loop applies the worker's batches in order. After a failure it applies
// nothing more but still acknowledges barriers, so the reader never hangs.
func (w *runWorker) loop(st *State, recs []codec.Record, done *sync.WaitGroup) {
	defer done.Done()
	for m := range w.in {
		for _, i := range m.idx {
			if w.err != nil {
				break
			}
			applied, err := st.applyRowShared(&recs[i].Row)
			if err != nil {
				w.err, w.errIdx = fmt.Errorf("%w (record %d)", err, i), i
				break
			}
			w.stats.count(&recs[i], applied)
		}
		if m.barrier != nil {
			m.barrier.Done()
		}
	}
}

// read walks the plan and dispatches it. It stops at the first barrier at
// which a worker has failed or whose record fails.
func (r *runner) read() (Stats, error) {
	var stats Stats
	for i, s := range r.p.steps {
		switch s.Kind {
		case StepDispatch:
			r.pending[s.Worker] = append(r.pending[s.Worker], i)
			if len(r.pending[s.Worker]) >= r.p.cfg.BatchLen {
				r.flush(s.Worker)
			}
		case StepDiscard:
			stats.RowsDiscarded++
		case StepBarrier:
			stats.Barriers++
			r.drain()
			if r.firstError() != nil {
				return stats, nil
			}
			applied, err := r.st.applyRecord(&r.p.recs[i])
			if err != nil {
				return stats, fmt.Errorf("%w (record %d)", err, i)
			}
			stats.count(&r.p.recs[i], applied)
		}
	}
	return stats, nil
}

// flush hands worker w its pending batch.
func (r *runner) flush(w int) {
	if len(r.pending[w]) == 0 {
		return
	}
	r.workers[w].in <- runMsg{idx: r.pending[w]}
	r.pending[w] = make([]int, 0, r.p.cfg.BatchLen)
}

// drain flushes every batch and waits until every worker has applied all it
// was given.
func (r *runner) drain() {
	var barrier sync.WaitGroup
	barrier.Add(len(r.workers))
	for w := range r.workers {
		r.flush(w)
		r.workers[w].in <- runMsg{barrier: &barrier}
	}
	barrier.Wait()
}

// firstError returns the worker failure earliest in the log, if any. Call
// it only while the workers wait (after drain or stop).
func (r *runner) firstError() error {
	var first *runWorker
	for _, w := range r.workers {
		if w.err != nil && (first == nil || w.errIdx < first.errIdx) {
			first = w
		}
	}
	if first == nil {
		return nil
	}
	return first.err
}

// stop hands out the last batches, closes the queues and waits for the
// workers to finish.
func (r *runner) stop() {
	for w := range r.workers {
		r.flush(w)
		close(r.workers[w].in)
	}
	r.done.Wait()
}
