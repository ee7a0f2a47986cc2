package cluster

// TableCheckpoint is one table's event dispatcher checkpoint ts.
type TableCheckpoint struct {
	Table        int64
	CheckpointTs uint64
}

// EventCheckpoints returns the checkpoint ts of every running event
// dispatcher, table trigger excluded, node by node in each node's table
// order (deterministic). Tables of a node that is down are missing. For
// per-table progress and fairness measures in scenarios.
func (cl *Cluster) EventCheckpoints() []TableCheckpoint {
	var out []TableCheckpoint
	for _, c := range cl.captures {
		if c.mgr == nil {
			continue
		}
		for _, t := range c.tables {
			if d := c.mgr.EventDispatcher(t); d != nil {
				out = append(out, TableCheckpoint{Table: t, CheckpointTs: d.CheckpointTs()})
			}
		}
	}
	return out
}
