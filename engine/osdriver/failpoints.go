package osdriver

import (
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pingcap/failpoint"
)

// Failpoints on the real-disk path. The driver's calls to the OS evaluate
// failpoint's process-wide registry (failpoint.Eval) at three seams, so a
// run on a real file system (simrun redo gen, bench/engine, any program
// using this package) takes disk faults in failpoint's own terms: from
// GO_FAILPOINTS, which failpoint parses when the process starts, from
// failpoint.Enable, or from EnableFailpoints (simrun redo gen -failpoints).
//
// A point's term follows failpoint's grammar, [MOD]ACTION[(VALUE)] chained
// with "->", MOD being N* (the first N evaluations) or P% (with
// probability P). What a fired point does:
//
//	return("EIO"), return("ENOSPC"), return("EDQUOT"), return("EROFS")
//	             the call fails with that errno, doing nothing
//	return(true), return
//	             the point's default errno (FailpointCatalogue)
//	return("short")
//	             write only: the first half of the bytes is written, then
//	             the write fails with ENOSPC (a disk that fills mid-write)
//	sleep(MS), sleep("DURATION")
//	             the call is delayed, then made
//	off, return(false), print(...)
//	             the call is made as usual
//
// For example 3*off->1*return("EIO") fails the fourth fdatasync only, and
// 10%sleep(50) delays one call in ten by 50 ms.
//
// An injected error reads and unwraps like the OS's own (errors.Is(err,
// syscall.EIO)), names the point, and travels the same way: the chain
// fails, the core fails the log, and every waiting appender gets the
// error. A point that is not enabled costs one lookup in failpoint's
// registry per call and changes nothing.
//
// Only this package evaluates these points. Simulated worlds never do: the
// simulated driver reaches the simulated disk, whose faults the world's
// seeded injector decides (sim/fault), and internal/rules forbids world
// code to import failpoint.

// failpointPrefix names this package's points, as failpoint's code
// rewriting would: the package path, a slash, the point.
const failpointPrefix = "github.com/redosim/redosim/engine/osdriver/"

// The driver's failpoints.
const (
	// FailpointFdatasync is evaluated before every fdatasync of a log or
	// meta file; its default errno is EIO.
	FailpointFdatasync = failpointPrefix + "fdatasync"
	// FailpointWrite is evaluated before every write to a log or meta file;
	// its default errno is EIO, and it alone takes return("short").
	FailpointWrite = failpointPrefix + "write"
	// FailpointPreallocate is evaluated before every chunk of zeros
	// written to a spare file (Options.PreallocateBytes); its default
	// errno is ENOSPC. It fails Open when the first spare fails, and stops
	// the background filler (log files then start empty) after that.
	FailpointPreallocate = failpointPrefix + "preallocate"
)

// FailpointInfo describes one of the driver's failpoints.
type FailpointInfo struct {
	Name string // the full failpoint name
	// Values lists what the point's return(...) takes, besides
	// return(true) (the default errno) and return(false) (no fault).
	Values []string
	// Default names the errno return(true) injects, as Values do.
	Default string
	What    string // what the point is evaluated before
}

// shortWrite is the value that makes FailpointWrite write half its bytes.
const shortWrite = "short"

// errnos are the errnos a point's return("NAME") may inject.
var errnos = map[string]syscall.Errno{
	"EIO":    syscall.EIO,
	"ENOSPC": syscall.ENOSPC,
	"EDQUOT": syscall.EDQUOT,
	"EROFS":  syscall.EROFS,
}

var errnoNames = []string{"EIO", "ENOSPC", "EDQUOT", "EROFS"}

// point is one failpoint as the seams evaluate it.
type point struct {
	name  string
	def   syscall.Errno
	short bool // takes return("short")
	what  string
}

var (
	pointFdatasync   = &point{FailpointFdatasync, syscall.EIO, false, "every fdatasync of a log or meta file"}
	pointWrite       = &point{FailpointWrite, syscall.EIO, true, "every write to a log or meta file (\"short\": half the bytes, then ENOSPC)"}
	pointPreallocate = &point{FailpointPreallocate, syscall.ENOSPC, false, "every 1 MiB of zeros written to a spare file (Options.PreallocateBytes)"}
	points           = []*point{pointFdatasync, pointWrite, pointPreallocate}
)

// FailpointCatalogue returns the driver's failpoints, in a fixed order.
func FailpointCatalogue() []FailpointInfo {
	out := make([]FailpointInfo, 0, len(points))
	for _, p := range points {
		vals := slices.Clone(errnoNames)
		if p.short {
			vals = append(vals, shortWrite)
		}
		def := ""
		for n, e := range errnos {
			if e == p.def {
				def = n
			}
		}
		out = append(out, FailpointInfo{Name: p.name, Values: vals, Default: def, What: p.what})
	}
	return out
}

// fault is what a fired point injects.
type fault struct {
	point *point
	errno syscall.Errno
	short bool // write the first half of the bytes, then fail
}

// eval evaluates p in failpoint's registry. ok is false when p is not
// enabled, its term did not fire, or it fired an action that leaves the
// call alone (sleep has slept by the time Eval returns). A value the
// point does not take is itself an injected failure, err.
func (p *point) eval() (f fault, ok bool, err error) {
	v, ferr := failpoint.Eval(p.name)
	if ferr != nil || v == nil {
		return fault{}, false, nil
	}
	return p.decode(v)
}

// decode maps a value of p's return(...) to its fault.
func (p *point) decode(v failpoint.Value) (f fault, ok bool, err error) {
	switch v := v.(type) {
	case struct{}:
		return fault{point: p, errno: p.def}, true, nil
	case bool:
		return fault{point: p, errno: p.def}, v, nil
	case string:
		if e, found := errnos[v]; found {
			return fault{point: p, errno: e}, true, nil
		}
		if v == shortWrite && p.short {
			return fault{point: p, errno: syscall.ENOSPC, short: true}, true, nil
		}
	}
	return fault{}, false, fmt.Errorf("failpoint %s: return(%#v) is not a value it takes (%s): %w",
		p.name, v, strings.Join(p.values(), ", "), ErrBadFailpoint)
}

// values lists what p's return takes, quoted as in a term.
func (p *point) values() []string {
	var out []string
	for _, n := range errnoNames {
		out = append(out, strconv.Quote(n))
	}
	if p.short {
		out = append(out, strconv.Quote(shortWrite))
	}
	return append(out, "true", "false")
}

// ErrBadFailpoint marks a failpoint name, term or value the driver does
// not take.
var ErrBadFailpoint = errors.New("engine/osdriver: bad failpoint")

// err is the error f injects into op on file (an OS error's shape, the
// point named after it).
func (f fault) err(op, file string) error {
	return fmt.Errorf("%s %s: %w [failpoint %s]", op, file, f.errno, f.point.name)
}

// inject evaluates p before op on file: the error to return instead of
// making the call, or nil to make it. The write point, whose short fault
// writes, goes through writeAtInjected instead.
func (p *point) inject(op, file string) error {
	f, ok, err := p.eval()
	if err != nil {
		return err
	}
	if !ok {
		return nil
	}
	return f.err(op, file)
}

// writeAtInjected writes b at off in f with FailpointWrite evaluated first: a
// short fault writes the first half and fails with ENOSPC, as a disk that
// fills mid-write does (os.File.WriteAt retries a short pwrite, and the
// retry gets ENOSPC), leaving a torn tail for recovery.
func writeAtInjected(f *os.File, b []byte, off int64) error {
	flt, ok, err := pointWrite.eval()
	if err != nil {
		return err
	}
	if !ok {
		_, err := f.WriteAt(b, off)
		return err
	}
	if !flt.short {
		return flt.err("write", f.Name())
	}
	n := len(b) / 2
	if _, err := f.WriteAt(b[:n], off); err != nil {
		return err
	}
	return fmt.Errorf("write %s: wrote %d of %d bytes (%w): %w [failpoint %s]",
		f.Name(), n, len(b), io.ErrShortWrite, flt.errno, flt.point.name)
}

// termRE matches one term of a chain: modifiers, an action, its argument.
var termRE = regexp.MustCompile(`^((?:[0-9]+(?:\.[0-9]*)?[%*])*)([a-z]+)(?:\((.*)\))?$`)

// Failpoint is one enabled point: a name of FailpointCatalogue and a
// failpoint term.
type Failpoint struct {
	Name, Term string
}

// ParseFailpoints parses spec, failpoint's GO_FAILPOINTS syntax
// "NAME=TERM[;NAME=TERM...]", and checks every name is one of the driver's
// points and every term parses (by failpoint's own parser) and injects
// only what the point takes: return with one of its values, sleep, off,
// print. panic, pause and break are refused, and so is a name given twice.
// An empty spec is no point. Errors wrap ErrBadFailpoint and name the
// entry.
func ParseFailpoints(spec string) ([]Failpoint, error) {
	var out []Failpoint
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	for _, entry := range strings.Split(spec, ";") {
		name, term, found := strings.Cut(entry, "=")
		if !found || name == "" || term == "" || strings.Contains(term, "=") {
			return nil, fmt.Errorf("%q: want NAME=TERM: %w", entry, ErrBadFailpoint)
		}
		i := slices.IndexFunc(points, func(p *point) bool { return p.name == name })
		if i < 0 {
			return nil, fmt.Errorf("%q: no such point (the driver's are %s): %w", name, pointNames(), ErrBadFailpoint)
		}
		if slices.ContainsFunc(out, func(f Failpoint) bool { return f.Name == name }) {
			return nil, fmt.Errorf("%q: given twice: %w", name, ErrBadFailpoint)
		}
		if err := points[i].checkTerm(term); err != nil {
			return nil, fmt.Errorf("%s=%s: %w", name, term, err)
		}
		out = append(out, Failpoint{Name: name, Term: term})
	}
	return out, nil
}

func pointNames() string {
	var names []string
	for _, p := range points {
		names = append(names, p.name)
	}
	return strings.Join(names, ", ")
}

// checkTerm checks each action of term's chain against what p takes,
// then term with failpoint's parser.
func (p *point) checkTerm(term string) error {
	if err := p.checkActions(term); err != nil {
		return err
	}
	return parseTerm(term)
}

// parseTerm parses term with failpoint's own parser, on a scratch point
// (no registry is touched). That parser panics on some malformed values
// (sleep(x)); the panic is a bad term too.
func parseTerm(term string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("failpoint cannot parse %q (%v): %w", term, r, ErrBadFailpoint)
		}
	}()
	var scratch failpoint.Failpoint
	if err := scratch.Enable(term); err != nil {
		return fmt.Errorf("%v: %w", err, ErrBadFailpoint)
	}
	return nil
}

// checkActions checks each term of the chain against what p takes.
func (p *point) checkActions(term string) error {
	for _, t := range strings.Split(term, "->") {
		m := termRE.FindStringSubmatch(t)
		if m == nil {
			return fmt.Errorf("term %q: want [N*|P%%]ACTION[(VALUE)]: %w", t, ErrBadFailpoint)
		}
		act, arg := m[2], m[3]
		switch act {
		case "return":
			if arg == "" {
				continue
			}
			if slices.Contains(p.values(), arg) {
				continue
			}
			return fmt.Errorf("return(%s): the point takes %s: %w", arg, strings.Join(p.values(), ", "), ErrBadFailpoint)
		case "sleep":
			if _, err := strconv.Atoi(arg); err == nil {
				continue
			}
			if s, err := strconv.Unquote(arg); err == nil {
				if _, err := time.ParseDuration(s); err == nil {
					continue
				}
			}
			return fmt.Errorf("sleep(%s): want milliseconds or a quoted duration: %w", arg, ErrBadFailpoint)
		case "off", "print":
			continue
		case "panic", "pause", "break":
			return fmt.Errorf("%s: the driver takes return, sleep, off and print (panic would crash the process, pause and break stop it): %w",
				act, ErrBadFailpoint)
		}
		return fmt.Errorf("term %q: unknown action %q: %w", t, act, ErrBadFailpoint)
	}
	return nil
}

// EnableFailpoints parses spec as ParseFailpoints does and enables every
// point in failpoint's registry with its term. It enables nothing when
// spec is bad. disable turns them off again (a process that exits need
// not call it; a test must).
func EnableFailpoints(spec string) (disable func(), err error) {
	fps, err := ParseFailpoints(spec)
	if err != nil {
		return nil, err
	}
	var enabled []string
	disable = func() {
		for _, n := range enabled {
			_ = failpoint.Disable(n)
		}
	}
	for _, fp := range fps {
		if err := failpoint.Enable(fp.Name, fp.Term); err != nil {
			disable()
			return nil, fmt.Errorf("engine/osdriver: enable %s=%s: %w", fp.Name, fp.Term, err)
		}
		enabled = append(enabled, fp.Name)
	}
	return disable, nil
}
