package osdriver_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
	"github.com/redosim/redosim/sim"
)

// The OS driver's syscall order, recorded through its seam: what makes a
// record durable is the order of write, fdatasync, rename and directory
// fsync, so each flush policy's promise is checked on the calls themselves.

// unsyncedLogs returns the log files written since their last fdatasync.
func unsyncedLogs(calls []string) []string {
	dirty := map[string]bool{}
	var order []string
	for _, c := range calls {
		f := strings.Fields(c)
		if len(f) < 2 || !strings.Contains(f[1], ".log") {
			continue
		}
		switch f[0] {
		case "write":
			if !dirty[f[1]] {
				order = append(order, f[1])
			}
			dirty[f[1]] = true
		case "fdatasync":
			dirty[f[1]] = false
		}
	}
	var out []string
	for _, n := range order {
		if dirty[n] {
			out = append(out, n)
		}
	}
	return out
}

// checkSealOrder: every rename of a file is preceded by an fdatasync of it
// after its last write, and followed by a directory fsync; meta files are
// created as .mtmp, written, synced and renamed before any old meta is
// removed.
func checkSealOrder(calls []string) error {
	for i, c := range calls {
		f := strings.Fields(c)
		if f[0] != "rename" {
			continue
		}
		from := f[1]
		synced := false
		for j := i - 1; j >= 0; j-- {
			g := strings.Fields(calls[j])
			if len(g) > 1 && g[1] == from && g[0] == "fdatasync" {
				synced = true
				break
			}
			if len(g) > 1 && g[1] == from && g[0] == "write" {
				break
			}
		}
		if !synced {
			return fmt.Errorf("call %d %q: renamed without an fdatasync after its last write", i, c)
		}
		dirSynced := false
		for _, later := range calls[i+1:] {
			if later == "fsyncdir" {
				dirSynced = true
				break
			}
			if strings.HasPrefix(later, "remove ") && strings.HasSuffix(from, ".mtmp") {
				return fmt.Errorf("call %d %q: an old meta removed before the new meta's name was durable", i, c)
			}
		}
		if !dirSynced {
			return fmt.Errorf("call %d %q: no directory fsync after the rename", i, c)
		}
	}
	return nil
}

// sealedNext reports whether name is renamed in calls before it is written
// again (other streams' calls interleave).
func sealedNext(calls []string, name string) bool {
	for _, c := range calls {
		switch {
		case strings.HasPrefix(c, "rename "+name+" "):
			return true
		case c == "write "+name:
			return false
		}
	}
	return false
}

func recordedDriver(t *testing.T, cfg core.Config, skipSync bool) (*osdriver.Driver, *osdriver.SyscallLog) {
	t.Helper()
	var opts osdriver.Options
	log := osdriver.RecordSyscalls(&opts)
	log.SkipFdatasync = skipSync
	drv, _, err := osdriver.Open(t.TempDir(), cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return drv, log
}

// policyRun appends n rows one at a time and checks, after every
// acknowledgement, the policy's rule on the calls so far; after Close, the
// seal order and that no log file was left unsynced.
func policyRun(t *testing.T, policy core.Policy, skipSync bool) (problems []string) {
	cfg := core.Config{Policy: policy, MaxLogBytes: 8 << 10, FlushInterval: 2 * sim.Millisecond, FlushRows: 1 << 20,
		MetaFlushInterval: sim.Millisecond}
	drv, log := recordedDriver(t, cfg, skipSync)
	for i := range 120 {
		r := row(i)
		if _, err := drv.AppendRow(&r); err != nil {
			t.Fatal(err)
		}
		drv.UpdateMeta(uint64(i), uint64(1000+2*i))
		calls := log.Calls()
		switch policy {
		case core.PolicyCommit, core.PolicyInterval:
			// Acknowledged means durable: nothing written is unsynced.
			if u := unsyncedLogs(calls); len(u) > 0 {
				problems = append(problems, fmt.Sprintf("row %d acknowledged with %v written but not fdatasynced", i, u))
			}
		case core.PolicyOS:
			// Acknowledged once written; a log is fdatasynced only to seal it.
			for j, c := range calls {
				if strings.HasPrefix(c, "fdatasync ") && strings.HasSuffix(c, ".log.tmp") && !sealedNext(calls[j+1:], strings.TrimPrefix(c, "fdatasync ")) {
					problems = append(problems, fmt.Sprintf("call %d %q: policy os synced a log it was not sealing", j, c))
				}
			}
		}
	}
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	calls := log.Calls()
	if err := checkSealOrder(calls); err != nil {
		problems = append(problems, err.Error())
	}
	if u := unsyncedLogs(calls); len(u) > 0 {
		problems = append(problems, fmt.Sprintf("after Close, %v written but not fdatasynced", u))
	}
	for _, c := range calls {
		if strings.HasPrefix(c, "rename ") && strings.Contains(c, ".log.tmp") {
			return problems
		}
	}
	return append(problems, "no log file was sealed")
}

func TestSyscallOrderPerPolicy(t *testing.T) {
	for _, p := range []core.Policy{core.PolicyCommit, core.PolicyInterval, core.PolicyOS, core.PolicyNone} {
		t.Run(p.String(), func(t *testing.T) {
			if problems := policyRun(t, p, false); len(problems) > 0 {
				t.Fatalf("%d problems, first: %s", len(problems), problems[0])
			}
		})
	}
}

// TestSyscallOrderCatchesSkippedFdatasync: a driver whose fdatasync does
// nothing (the planted bug) breaks the durable policies' rule, and the
// seal order.
func TestSyscallOrderCatchesSkippedFdatasync(t *testing.T) {
	for _, p := range []core.Policy{core.PolicyCommit, core.PolicyInterval} {
		if problems := policyRun(t, p, true); len(problems) == 0 {
			t.Errorf("policy %s: a skipped fdatasync went unnoticed", p)
		}
	}
}
