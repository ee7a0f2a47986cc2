package sim

// RunTimerModel runs the kernel benchmark's timer-heavy model: actors each
// reschedule themselves after a uniform random delay in [0, 1 ms) until
// events events have run. It returns the number of events run. SimPy's
// version of the same model lives in bench/kernel/simpy_models.py.
func RunTimerModel(actors, events int) int {
	w := NewWorld(WorldConfig{Seed: 1})
	r := w.Rand("bench/timers")
	remaining := events
	for a := 0; a < actors; a++ {
		var tick func()
		tick = func() {
			remaining--
			if remaining > 0 {
				w.Loop.After(Duration(r.Uint64N(uint64(Millisecond))), tick)
			} else {
				w.Loop.Stop("done")
			}
		}
		w.Loop.After(Duration(r.Uint64N(uint64(Millisecond))), tick)
	}
	w.Loop.Run()
	return int(w.Loop.Steps())
}

// RunPingPongModel runs the message model: pairs of actors bounce one
// message each way with a 1 ms hop until messages have been delivered. Each
// actor has an inbox and one prebuilt delivery callback, as a model actor
// on the loop would. It returns the number of events run.
func RunPingPongModel(pairs, messages int) int {
	w := NewWorld(WorldConfig{Seed: 1})
	remaining := messages
	actors := make([]*pingActor, 2*pairs)
	for i := range actors {
		actors[i] = &pingActor{}
	}
	for p := 0; p < pairs; p++ {
		a, b := actors[2*p], actors[2*p+1]
		a.peer, b.peer = b, a
	}
	for _, a := range actors {
		a.deliver = func() {
			n := a.inbox[0]
			a.inbox = a.inbox[1:]
			remaining--
			if remaining <= 0 {
				w.Loop.Stop("done")
				return
			}
			a.peer.inbox = append(a.peer.inbox, n+1)
			w.Loop.After(Millisecond, a.peer.deliver)
		}
	}
	for p := 0; p < pairs; p++ {
		a := actors[2*p]
		a.inbox = append(a.inbox, 0)
		w.Loop.After(Millisecond, a.deliver)
	}
	w.Loop.Run()
	return int(w.Loop.Steps())
}

type pingActor struct {
	inbox   []int
	peer    *pingActor
	deliver func()
}
