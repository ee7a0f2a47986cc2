package cluster

import "github.com/redosim/redosim/engine/core"

// RedoStats sums the redo engine counters of every running capture: the
// row and DDL streams field by field (SealedBytes concatenated in node
// order), meta writes and regressions, chains in flight. An engine is
// rebuilt when its node restarts, so a restarted capture counts from its
// restart and a capture that is down adds nothing. The zero Stats when
// redo is off. Added for the redo-flush scenario (objects and their sizes).
func (cl *Cluster) RedoStats() core.Stats {
	var sum core.Stats
	for _, c := range cl.captures {
		if c.redo == nil {
			continue
		}
		s := c.redo.Driver().Engine().Stats()
		addStreamStats(&sum.Row, &s.Row)
		addStreamStats(&sum.DDL, &s.DDL)
		sum.MetaWrites += s.MetaWrites
		sum.MetaRegressions += s.MetaRegressions
		sum.InflightChains += s.InflightChains
	}
	return sum
}

func addStreamStats(to, from *core.StreamStats) {
	to.Appends += from.Appends
	to.AppendBytes += from.AppendBytes
	to.Chains += from.Chains
	to.Writes += from.Writes
	to.Syncs += from.Syncs
	to.Puts += from.Puts
	to.FilesCreated += from.FilesCreated
	to.FilesSealed += from.FilesSealed
	to.FilesRemoved += from.FilesRemoved
	to.SealedBytes = append(to.SealedBytes, from.SealedBytes...)
}
