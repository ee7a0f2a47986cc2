package dispatcher

import (
	"fmt"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim/node"
)

// RedoDispatcher writes one table's (or the table trigger's) events to the
// redo sink (TiCDC RedoDispatcher, mode redo). It is never fenced. It drops
// syncpoints (A3) and takes its DDLs through the maintainer's redo barrier,
// separate from the main one, so each DDL is written to the redo log once,
// by the table-trigger redo dispatcher. A DML batch is flushed when the
// redo sink reports it durable, a DDL when it is durably written.
type RedoDispatcher struct {
	basic
}

// NewRedoDispatcher returns the redo dispatcher d.ID (mode redo) on node n.
// It implements the collector's Dispatcher interface.
func NewRedoDispatcher(n *node.Node, cfg Config, d Deps) (*RedoDispatcher, error) {
	if n == nil {
		return nil, fmt.Errorf("%w: nil node", ErrConfig)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := d.check(msg.ModeRedo); err != nil {
		return nil, err
	}
	return &RedoDispatcher{basic: newBasic(n, cfg, d)}, nil
}

// HandleEvents handles a batch of the dispatcher's events in stream order
// and reports whether the path must wait for wake.
func (r *RedoDispatcher) HandleEvents(events []msg.Event, wake func()) (block bool) {
	if len(events) == 0 {
		return false
	}
	return r.handle(events, wake)
}
