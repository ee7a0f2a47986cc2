package sim

import "sort"

// Coverage probes (FoundationDB's CODE_PROBE, TigerBeetle's coverage
// marks): a world counts how often it reached each named rare situation,
// such as a crash in the middle of a meta replace or an fsync error under
// a group commit. Code at the situation calls w.Probe(name); a campaign
// sums the counts over its worlds and fails when a catalogued probe was
// never reached, so a fault model or a generator that silently stopped
// exercising a branch shows. Probes observe: they neither draw randomness
// nor enter the trace, so adding one never changes a world's hash.
//
// Names follow the fault points' form, "<layer>/<component>/<situation>",
// and are declared as consts by the package that owns the situation.

// ProbeCount is one probe's count in one world.
type ProbeCount struct {
	Name  string
	Count uint64
}

// Probe counts one visit of the named rare situation. It allocates only
// the first time a world reaches a name.
func (w *World) Probe(name string) {
	if w.probes == nil {
		w.probes = make(map[string]uint64)
	}
	w.probes[name]++
}

// Probes returns the probes the world reached, sorted by name.
func (w *World) Probes() []ProbeCount {
	out := make([]ProbeCount, 0, len(w.probes))
	for name, n := range w.probes {
		out = append(out, ProbeCount{Name: name, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
