package objstore_test

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/objstore"
)

// A redo writer uploads a log file; a reader that looks before the upload
// completes finds nothing, one that looks after finds the whole file.
func Example() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	cfg := objstore.DefaultConfig()
	cfg.PutLatency = dist.MustParse("const(30ms)")
	cfg.GetLatency = dist.MustParse("const(15ms)")
	s := objstore.New(w, cfg)

	s.Put("redo/cf1/0001.log", make([]byte, 1_000_000), func(err error) {
		fmt.Println(w.Now(), "put done, err =", err)
	})
	s.Get("redo/cf1/0001.log", func(b []byte, err error) {
		fmt.Println(w.Now(), "early get:", errors.Is(err, objstore.ErrNotFound))
	})
	w.Loop.After(100*sim.Millisecond, func() {
		s.Get("redo/cf1/0001.log", func(b []byte, err error) {
			fmt.Println(w.Now(), "late get:", len(b), "bytes")
		})
	})
	if err := w.Loop.Run(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// t+15ms early get: true
	// t+40ms put done, err = <nil>
	// t+125ms late get: 1000000 bytes
}
