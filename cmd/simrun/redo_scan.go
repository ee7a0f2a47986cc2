package main

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
)

// fileScan is what one log file holds.
type fileScan struct {
	name         string
	typ          string
	records      int
	bytes, valid int64
	minTs, maxTs uint64
	state        string // sealed, open, torn tail, CORRUPT
}

// dirScan is what a redo directory holds.
type dirScan struct {
	meta      core.Meta
	metaFiles int
	metaBad   []string
	files     []fileScan
	corrupt   error
}

// scanDir walks every meta and log file. A directory with neither is not
// a redo directory (a usage error); corruption is kept in corrupt.
func scanDir(dir string) (*dirScan, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, usagef("redo: %v", err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	s := &dirScan{}
	for _, n := range names {
		switch {
		case core.IsMetaName(n):
			s.scanMeta(dir, n)
		default:
			if fn, ok := core.ParseFileName(n); ok {
				if err := s.scanLog(dir, n, fn); err != nil {
					return nil, err
				}
			}
		}
	}
	if len(s.files) == 0 && s.metaFiles == 0 && len(s.metaBad) == 0 {
		return nil, usagef("redo: %s is not a redo directory (no .log, .log.tmp or .meta files)", dir)
	}
	return s, nil
}

func (s *dirScan) scanMeta(dir, name string) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		s.metaBad = append(s.metaBad, name)
		return
	}
	m, err := codec.DecodeMeta(data)
	if err != nil {
		s.metaBad = append(s.metaBad, name)
		return
	}
	s.metaFiles++
	s.meta.CheckpointTs = max(s.meta.CheckpointTs, m.CheckpointTs)
	s.meta.ResolvedTs = max(s.meta.ResolvedTs, m.ResolvedTs)
}

func (s *dirScan) scanLog(dir, name string, fn core.FileName) error {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return usagef("redo: read %s: %v", name, err)
	}
	f := fileScan{name: name, typ: fn.Type, bytes: int64(len(data)), state: "sealed"}
	if fn.Tmp {
		f.state = "open"
	}
	sc, err := core.ScanFile(name, data, 512)
	f.records, f.valid, f.minTs, f.maxTs = sc.Records, sc.ValidBytes, sc.MinTs, sc.MaxTs
	switch {
	case err != nil:
		f.state = "CORRUPT"
		if s.corrupt == nil {
			s.corrupt = err
		}
	case sc.Torn:
		f.state = "torn tail"
	}
	s.files = append(s.files, f)
	return nil
}
