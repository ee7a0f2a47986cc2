package main

import (
	"os"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
)

// dirScan is what a redo directory holds: the engine's audit of it (every
// frame, meta, LSN range and the meta's promises checked).
type dirScan struct {
	audit *core.Audit
}

// scanDir audits every meta and log file. A directory with neither is not
// a redo directory (a usage error); damage is in the audit.
func scanDir(dir string) (*dirScan, error) {
	if _, err := os.ReadDir(dir); err != nil {
		return nil, usagef("redo: %v", err)
	}
	a, err := core.AuditStorage(osdriver.DirStorage(dir), core.AuditOptions{})
	if err != nil {
		return nil, usagef("redo: %v", err)
	}
	if len(a.Files) == 0 && len(a.Metas) == 0 {
		return nil, usagef("redo: %s is not a redo directory (no .log, .log.tmp or .meta files)", dir)
	}
	return &dirScan{audit: a}, nil
}

// metaCounts returns how many meta files were readable and how many not
// (unfinished .mtmp files are neither).
func (s *dirScan) metaCounts() (ok, bad int) {
	for _, m := range s.audit.Metas {
		switch {
		case m.Tmp:
		case m.Err != nil:
			bad++
		default:
			ok++
		}
	}
	return ok, bad
}
