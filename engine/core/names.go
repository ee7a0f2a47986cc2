package core

import (
	"fmt"
	"strconv"
	"strings"
)

// File and object names follow TiCDC's redo layout (pkg/redo/config.go):
//
//	<captureID>_<changefeed>_<type>_<maxCommitTs>_<uuid>.log   a sealed log
//	<captureID>_<changefeed>_<type>_<firstCommitTs>_<uuid>.log.tmp   an open log
//	<captureID>_<changefeed>_meta_<uuid>.meta                  a meta file
//	<captureID>_<changefeed>_meta_<uuid>.mtmp                  a meta being written
//
// The type is "row" or "ddl". A parser takes the ts from the second-to-last
// "_" field and the type from the third-to-last, so capture and changefeed
// ids must not contain "_" (Config.validate rejects them). TiCDC's V2
// layout puts a keyspace after the capture:
//
//	<captureID>_<keyspace>_<changefeed>_<type>_<maxCommitTs>_<uuid>.log
//	<captureID>_<keyspace>_<changefeed>_meta_<uuid>.meta   (always, in TiCDC's format)

// Name extensions.
const (
	ExtLog  = ".log"
	ExtTmp  = ".log.tmp"
	ExtMeta = ".meta"
	// ExtMetaTmp is a meta file being written: synced, then renamed to
	// .meta, so a .meta file was whole on disk before it had its name.
	// TiCDC's own temporary meta extension: its reader skips it.
	ExtMetaTmp = ".mtmp"
)

// Log types.
const (
	TypeRow  = "row"
	TypeDDL  = "ddl"
	TypeMeta = "meta"
)

// FileName is a parsed log file name.
type FileName struct {
	CaptureID  string
	Keyspace   string // "" in the V1 layout
	Changefeed string
	Type       string // TypeRow or TypeDDL
	Ts         uint64 // max commitTs for a sealed log, first commitTs for an open one
	UUID       string
	Tmp        bool // an open (.log.tmp) file
}

// String formats the name.
func (f FileName) String() string {
	ext := ExtLog
	if f.Tmp {
		ext = ExtTmp
	}
	if f.Keyspace != "" {
		return fmt.Sprintf("%s_%s_%s_%s_%d_%s%s", f.CaptureID, f.Keyspace, f.Changefeed, f.Type, f.Ts, f.UUID, ext)
	}
	return fmt.Sprintf("%s_%s_%s_%d_%s%s", f.CaptureID, f.Changefeed, f.Type, f.Ts, f.UUID, ext)
}

// ParseFileName parses a log file name; ok is false for anything else
// (meta files, foreign files).
func ParseFileName(name string) (FileName, bool) {
	var f FileName
	switch {
	case strings.HasSuffix(name, ExtTmp):
		f.Tmp = true
		name = strings.TrimSuffix(name, ExtTmp)
	case strings.HasSuffix(name, ExtLog):
		name = strings.TrimSuffix(name, ExtLog)
	default:
		return f, false
	}
	parts := strings.Split(name, "_")
	if len(parts) < 5 {
		return f, false
	}
	n := len(parts)
	ts, err := strconv.ParseUint(parts[n-2], 10, 64)
	if err != nil {
		return f, false
	}
	f.Type, f.Ts, f.UUID = parts[n-3], ts, parts[n-1]
	if f.Type != TypeRow && f.Type != TypeDDL {
		return f, false
	}
	f.CaptureID, f.Changefeed = parts[0], parts[1]
	if n > 5 {
		f.Keyspace, f.Changefeed = parts[1], strings.Join(parts[2:n-3], "_")
	}
	return f, true
}

// MetaName returns the name of a meta file.
func MetaName(captureID, changefeed, uuid string) string {
	return fmt.Sprintf("%s_%s_%s_%s%s", captureID, changefeed, TypeMeta, uuid, ExtMeta)
}

// IsMetaName reports whether name is a meta file name (.meta, not a
// .mtmp being written).
func IsMetaName(name string) bool {
	mn, ok := ParseMetaName(name)
	return ok && !mn.Tmp
}

// MetaFileName is a parsed meta file name.
type MetaFileName struct {
	CaptureID  string
	Keyspace   string // "" in this engine's layout
	Changefeed string
	UUID       string
	Tmp        bool // a .mtmp being written
}

// ParseMetaName parses a meta file name, .meta or .mtmp; ok is false
// for anything else.
func ParseMetaName(name string) (MetaFileName, bool) {
	var mn MetaFileName
	switch {
	case strings.HasSuffix(name, ExtMetaTmp):
		mn.Tmp = true
		name = strings.TrimSuffix(name, ExtMetaTmp)
	case strings.HasSuffix(name, ExtMeta):
		name = strings.TrimSuffix(name, ExtMeta)
	default:
		return mn, false
	}
	parts := strings.Split(name, "_")
	n := len(parts)
	if n < 4 || parts[n-2] != TypeMeta {
		return mn, false
	}
	mn.CaptureID, mn.UUID, mn.Changefeed = parts[0], parts[n-1], parts[1]
	if n > 4 {
		mn.Keyspace, mn.Changefeed = parts[1], strings.Join(parts[2:n-2], "_")
	}
	return mn, true
}

// uuidSource makes deterministic UUID-shaped names: a splitmix64 sequence
// from a seed, so a world names its files the same way every run.
type uuidSource struct {
	state uint64
	// taken holds names already in storage when the engine started; a
	// generated UUID found in one is skipped, so a restarted engine never
	// reuses (and then truncates or deletes) a file of an earlier life.
	taken map[string]bool
}

func (u *uuidSource) next64() uint64 {
	u.state += 0x9e3779b97f4a7c15
	z := u.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// next returns a version-4-shaped UUID string not used by any taken name.
func (u *uuidSource) next() string {
	for {
		a, b := u.next64(), u.next64()
		id := fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
			uint32(a>>32), uint16(a>>16), uint16(a)&0xfff, (uint16(b>>48)&0x3fff)|0x8000, b&0xffffffffffff)
		if !u.takenID(id) {
			return id
		}
	}
}

func (u *uuidSource) takenID(id string) bool {
	for name := range u.taken {
		if strings.Contains(name, id) {
			return true
		}
	}
	return false
}

// seedFrom mixes the names found in storage into the UUID sequence, so an
// engine restarted on different contents draws different names, and
// remembers them as taken.
func (u *uuidSource) seedFrom(names []string) {
	u.taken = make(map[string]bool, len(names))
	for _, n := range names {
		u.taken[n] = true
		for i := 0; i < len(n); i++ {
			u.state = (u.state ^ uint64(n[i])) * 0x100000001b3
		}
	}
}
