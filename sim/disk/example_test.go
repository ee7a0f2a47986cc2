package disk_test

import (
	"fmt"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
)

// The crash model in five lines: a synced record survives, an unsynced one
// survives only as a torn prefix of whole sectors, a name survives only
// with its directory synced.
func ExampleFS_CrashWith() {
	fs := disk.NewFS(disk.FSConfig{SectorBytes: 4})
	_ = fs.Create("/wal")
	_ = fs.SyncDir("/")
	_, _ = fs.Append("/wal", []byte("rec1;"))
	_ = fs.Sync("/wal")
	_, _ = fs.Append("/wal", []byte("rec2;"))
	_ = fs.Create("/orphan")

	for _, s := range fs.CrashSpace() {
		fmt.Printf("%s: %d unsynced units\n", s.Path, s.KeepMax)
	}
	for keep := 0; keep <= 2; keep++ {
		c, _ := fs.CrashWith(disk.CrashChoice{Files: map[string]disk.FileCrash{"/wal": {Keep: keep}}})
		b, _ := c.ReadFile("/wal")
		fmt.Printf("keep %d: %q orphan=%v\n", keep, b, c.Exists("/orphan"))
	}
	// Output:
	// /wal: 2 unsynced units
	// keep 0: "rec1;" orphan=false
	// keep 1: "rec1;rec" orphan=false
	// keep 2: "rec1;rec2;" orphan=false
}

// A timed disk: ops complete as loop events with the profile's latency.
func ExampleDisk() {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	p, _ := disk.ProfileByName("instant")
	d := disk.New(w, disk.Config{Name: "redo0", Profile: p})
	d.Create("/0001.log", func(err error) {
		d.Append("/0001.log", []byte("hello"), func(off int64, err error) {
			d.SyncData("/0001.log", func(err error) {
				fmt.Println("synced at offset", off, "err", err, "at", w.Now())
			})
		})
	})
	_ = w.Loop.Run()
	fmt.Println("syncs:", d.Stats().Syncs)
	// Output:
	// synced at offset 0 err <nil> at t+0s
	// syncs: 1
}
