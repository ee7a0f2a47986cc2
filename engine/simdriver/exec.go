package simdriver

import (
	"fmt"
	"path"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/internal/invariants"
	"github.com/redosim/redosim/sim"
)

func (d *Driver) onTick() {
	if d.stopped {
		return
	}
	d.eng.Tick(d.w.Now())
	d.pump()
}

// runChain performs op i of chain c and continues with the next on
// completion; the first error, or the end, advances the core.
func (d *Driver) runChain(c core.Chain, i int) {
	if d.stopped {
		return
	}
	if i == 0 {
		d.probeChain(c, 1)
	}
	if i == len(c.Ops) {
		d.finishChain(c, nil)
		return
	}
	op := c.Ops[i]
	if value, fired := d.w.Fire(PointName(c.Stream, op.Kind)); fired {
		if value == "crash" && d.OnCrashPoint != nil {
			d.OnCrashPoint(PointName(c.Stream, op.Kind))
			return
		}
		d.finishChain(c, fmt.Errorf("%s: %w", op, ErrInjected))
		return
	}
	if d.plantedSkip(c.Stream, op.Kind) {
		d.runChain(c, i+1) // planted bug: the op is skipped but reported done
		return
	}
	start := d.w.Now()
	d.do(op, func(err error) {
		if d.stopped {
			return
		}
		if d.OnOp != nil {
			d.OnOp(OpEvent{Stream: c.Stream, Op: op, Start: start, End: d.w.Now(), Err: err})
		}
		if err != nil {
			d.probeOpError(c.Stream, op, err)
			d.finishChain(c, fmt.Errorf("%s: %w", op, err))
			return
		}
		d.runChain(c, i+1)
	})
}

func (d *Driver) finishChain(c core.Chain, err error) {
	d.probeChain(c, -1)
	d.w.Record("redo.chain", c.Stream, sim.Digest(c.ID, uint64(len(c.Ops)), boolWord(err != nil)))
	if aerr := d.eng.Advance(c.ID, err); aerr != nil {
		invariants.Failf("engine/simdriver: Advance pairs with Ready: %v", aerr)
	}
	d.pump()
}

func boolWord(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// do carries one op out on the target.
func (d *Driver) do(op core.Op, done func(error)) {
	if s := d.target.Store; s != nil {
		key := d.key(op.Path)
		switch op.Kind {
		case core.OpPut:
			s.Put(key, op.Data, done)
		case core.OpDelete:
			s.Delete(key, done)
		default:
			done(fmt.Errorf("engine/simdriver: %s is not an object-store op", op.Kind))
		}
		return
	}
	dk, p := d.target.Disk, d.key(op.Path)
	switch op.Kind {
	case core.OpCreate:
		dk.Create(p, done)
	case core.OpWrite:
		dk.WriteAtBorrowed(p, op.Offset, op.Data, done) // core.Op: Data stays valid until the chain completes
	case core.OpTruncate:
		dk.Truncate(p, op.Offset, done)
	case core.OpSync:
		dk.SyncData(p, done)
	case core.OpRename:
		dk.Rename(p, d.key(op.NewPath), done)
	case core.OpSyncDir:
		dk.SyncDir(d.target.Dir, done)
	case core.OpRemove:
		dk.Remove(p, done)
	default:
		done(fmt.Errorf("engine/simdriver: %s is not a file op", op.Kind))
	}
}

func (d *Driver) key(name string) string {
	if d.target.Store != nil {
		if d.target.Dir == "" {
			return name
		}
		return d.target.Dir + "/" + name
	}
	return path.Join(d.target.Dir, name)
}
