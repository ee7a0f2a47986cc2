package downstream

import (
	"fmt"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// WriteDML executes a batch of one dispatcher's DML events, one downstream
// transaction per event (per upstream transaction and table), and calls
// done when all are committed. The events' rows become visible as their
// transaction commits.
func (d *Downstream) WriteDML(id msg.DispatcherID, events []msg.Event, done func()) {
	for _, o := range d.observers {
		o.OnDML(id, events)
	}
	pending := 0
	for i := range events {
		if events[i].Kind == msg.EventDML {
			pending++
		}
	}
	if pending == 0 {
		d.w.Loop.After(0, done)
		return
	}
	doneAt := 0
	if d.cfg.TestingKnobs.DoneOneTxnEarly && pending > 1 {
		doneAt = 1 // mutant: one transaction early
	}
	for i := range events {
		ev := &events[i]
		if ev.Kind != msg.EventDML {
			continue
		}
		rows := ev.Rows
		d.submit(&txn{table: id.Table, rows: len(rows), apply: func() { d.applyRows(rows) }, done: func() {
			pending--
			if pending == doneAt {
				done()
			}
		}})
	}
}

func (d *Downstream) applyRows(rows []codec.Row) {
	for i := range rows {
		d.maxApplied = max(d.maxApplied, rows[i].CommitTs)
		if err := d.state.ApplyRow(&rows[i]); err != nil {
			panic(fmt.Sprintf("model/downstream: apply row: %v", err)) // the model fed a bad row: a bug
		}
	}
	d.stats.Rows += uint64(len(rows))
}

// WriteSyncPoint writes the syncpoint row for ts as one transaction
// (ddl_ts pre-write, syncpoint row, ddl_ts post-write folded into it) and
// calls done once it is durable downstream. Like TiCDC's INSERT IGNORE on
// the (changefeed, primary_ts) key, writing a row that exists (a syncpoint
// replayed after a restart) changes nothing and tells no observer.
func (d *Downstream) WriteSyncPoint(ts uint64, done func()) {
	d.submit(&txn{table: msg.TableTrigger, rows: 3, apply: func() {
		for _, r := range d.syncRows {
			if r.PrimaryTs == ts {
				d.stats.SyncPointsIgnored++
				return
			}
		}
		row := SyncPointRow{PrimaryTs: ts, SecondaryTs: uint64(d.w.Now()), WrittenAt: d.w.Now()}
		d.syncRows = append(d.syncRows, row)
		d.stats.SyncPoints++
		for _, o := range d.observers {
			o.OnSyncPoint(row)
		}
	}, done: done})
}

// WriteDDL executes a DDL, then writes its ddl_ts rows, and calls done.
func (d *Downstream) WriteDDL(ddl *codec.DDL, done func()) {
	d.submit(&txn{table: msg.TableTrigger, rows: 1, apply: func() {
		d.maxApplied = max(d.maxApplied, ddl.CommitTs)
		if err := d.state.ApplyDDL(ddl); err != nil {
			panic(fmt.Sprintf("model/downstream: apply ddl: %v", err))
		}
		for _, t := range append(append(append([]int64(nil), ddl.Blocked...), ddl.Added...), ddl.Dropped...) {
			d.ddlTs[t] = max(d.ddlTs[t], ddl.CommitTs)
		}
		d.stats.DDLs++
		for _, o := range d.observers {
			o.OnDDL(ddl)
		}
	}, done: done})
}

// submit queues a transaction for a worker.
func (d *Downstream) submit(t *txn) {
	if len(d.queue) >= d.cfg.QueueLenMax {
		panic(fmt.Sprintf("model/downstream: queue passed its bound of %d transactions", d.cfg.QueueLenMax))
	}
	t.queued = d.w.Now()
	d.queue = append(d.queue, t)
	d.stats.QueueMax = max(d.stats.QueueMax, len(d.queue))
	d.dispatch()
}

// dispatch starts queued transactions while workers are free. Each runs
// for its latency, then applies and completes.
func (d *Downstream) dispatch() {
	for d.busy < d.cfg.Workers && len(d.queue) > 0 {
		t := d.queue[0]
		d.queue = d.queue[1:]
		d.busy++
		d.stats.BusyMax = max(d.stats.BusyMax, d.busy)
		d.stats.QueueWaitSum += d.w.Now().Sub(t.queued)
		d.w.Loop.After(d.latency(t), func() {
			d.busy--
			d.stats.Txns++
			t.apply()
			t.done()
			d.dispatch()
		})
	}
}

// latency draws a transaction's cost: its table's (or the default)
// per-transaction latency plus one per-row draw times the rows, times any
// stall factor in force.
func (d *Downstream) latency(t *txn) sim.Duration {
	lat, ok := d.tables[t.table]
	if !ok {
		lat = tableLatency{txn: d.cfg.TxnLatency, row: d.cfg.RowLatency}
	}
	r := d.rands[t.table]
	if r == nil {
		r = d.w.Rand(fmt.Sprintf("model/downstream/t%d", t.table))
		d.rands[t.table] = r
	}
	cost := float64(dist.Duration(lat.txn, r)) + float64(t.rows)*float64(dist.Duration(lat.row, r))
	now := d.w.Now()
	for _, s := range d.stall {
		if now >= s.from && now < s.until && (s.tables == nil || s.tables[t.table]) {
			cost *= s.factor
		}
	}
	return sim.Duration(cost)
}
