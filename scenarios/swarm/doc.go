// Package swarm is the harness's property-based CI: it generates random
// changefeed worlds (configurations and fault schedules, swarm style),
// runs them, and judges them by properties: every invariant of the
// catalogue holds, liveness once faults stop, determinism. A failing world
// shrinks to a smaller one that still fails and comes back as a repro file
// and the one simrun -replay command that runs it again exactly.
package swarm
