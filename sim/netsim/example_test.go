package netsim_test

import (
	"fmt"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/netsim"
)

// Two nodes exchange a ping and a pong; then a partition cuts them apart
// and a heal joins them again.
func Example() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	net := netsim.New(w, netsim.Config{Default: netsim.LinkConfig{Latency: dist.MustParse("const(2ms)")}})
	net.AddNode("capture", func(from netsim.NodeID, msg any) {
		fmt.Println(w.Now(), "capture got", msg, "from", from)
	})
	net.AddNode("maintainer", func(from netsim.NodeID, msg any) {
		fmt.Println(w.Now(), "maintainer got", msg, "from", from)
		net.Send("maintainer", from, "pong", 64)
	})

	net.Send("capture", "maintainer", "ping", 64)
	w.Loop.After(10*sim.Millisecond, func() {
		net.Partition([]netsim.NodeID{"capture"}, []netsim.NodeID{"maintainer"})
		fmt.Println("sent while partitioned:", net.Send("capture", "maintainer", "ping", 64))
		net.Heal()
		fmt.Println("sent after heal:", net.Send("capture", "maintainer", "ping", 64))
	})
	if err := w.Loop.Run(); err != nil {
		fmt.Println(err)
	}
	st := net.Stats()
	fmt.Println("delivered", st.Delivered, "dropped", st.DroppedTotal())
	// Output:
	// t+2ms maintainer got ping from capture
	// t+4ms capture got pong from maintainer
	// sent while partitioned: false
	// sent after heal: true
	// t+12ms maintainer got ping from capture
	// t+14ms capture got pong from maintainer
	// delivered 4 dropped 1
}
