package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/osdriver"
)

// TestRedoGenFailpoints: redo gen -failpoints injects real disk faults in
// failpoint's terms: an injected EIO or ENOSPC ends the run as a real one
// does (exit 3, the errno and the point named), a delay only slows it, and
// the points are off again once the command returns.
func TestRedoGenFailpoints(t *testing.T) {
	gen := func(code int, name, spec string) cliResult {
		dir := filepath.Join(t.TempDir(), name)
		r := run1(t, code, "redo", "gen", "-dir", dir, "-rows", "200", "-writers", "2", "-failpoints", spec)
		r.stderrHas(t, "failpoints on: "+spec)
		return r
	}
	gen(exitInternal, "eio", osdriver.FailpointFdatasync+`=return("EIO")`).
		stderrHas(t, "input/output error", "[failpoint "+osdriver.FailpointFdatasync+"]")
	gen(exitInternal, "enospc", osdriver.FailpointWrite+`=20*off->return("ENOSPC")`).
		stderrHas(t, "no space left on device", "[failpoint "+osdriver.FailpointWrite+"]")
	gen(exitInternal, "short", osdriver.FailpointWrite+`=1*return("short")`).
		stderrHas(t, "short write", "no space left on device")
	gen(exitOK, "delay", osdriver.FailpointFdatasync+`=sleep(1);`+osdriver.FailpointWrite+`=50%sleep(1)`).
		stdoutHas(t, "wrote 200 rows")
	// Nothing stays on after a run: a plain gen succeeds.
	dir := filepath.Join(t.TempDir(), "after")
	run1(t, exitOK, "redo", "gen", "-dir", dir, "-rows", "50").stdoutHas(t, "wrote 50 rows")
}

// TestRedoGenBadFailpoints: a bad -failpoints or GO_FAILPOINTS exits 2,
// names the flag or variable and what is wrong, and writes nothing.
func TestRedoGenBadFailpoints(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "g")
	fs := osdriver.FailpointFdatasync
	cases := []badCase{
		{"unknown point", []string{"-failpoints", "sim/disk/fsyncEIO=return(true)"}, []string{"-failpoints", "no such point", fs}},
		{"no term", []string{"-failpoints", fs}, []string{"-failpoints", "NAME=TERM"}},
		{"bad term", []string{"-failpoints", fs + "=retrun(true)"}, []string{"-failpoints", "retrun"}},
		{"bad value", []string{"-failpoints", fs + `=return("EBUSY")`}, []string{"-failpoints", `return("EBUSY")`, `"EIO"`}},
		{"panic", []string{"-failpoints", fs + "=panic"}, []string{"-failpoints", "panic"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"redo", "gen", "-dir", dir, "-rows", "10"}, c.args...)
			run1(t, exitUsage, args...).stderrHas(t, c.want...)
		})
	}
	t.Run("GO_FAILPOINTS", func(t *testing.T) {
		t.Setenv("GO_FAILPOINTS", fs+`=return("EAGAIN")`)
		run1(t, exitUsage, "redo", "gen", "-dir", dir, "-rows", "10").stderrHas(t, "GO_FAILPOINTS", `return("EAGAIN")`)
	})
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("a rejected redo gen wrote %s", dir)
	}
}

// TestListFaultsFailpoints: -list-faults lists the OS driver's points
// with the values they take.
func TestListFaultsFailpoints(t *testing.T) {
	r := run1(t, exitOK, "-list-faults")
	r.stdoutHas(t, "Real-disk failpoints")
	for _, p := range osdriver.FailpointCatalogue() {
		found := false
		for _, line := range strings.Split(r.stdout, "\n") {
			if !strings.Contains(line, "  "+p.Name+" ") {
				continue
			}
			found = true
			if !strings.Contains(line, `"ENOSPC"`) || !strings.Contains(line, "= "+p.Default) {
				t.Errorf("-list-faults line for %s lacks its values: %s", p.Name, line)
			}
		}
		if !found {
			t.Errorf("-list-faults lacks %s", p.Name)
		}
	}
}
