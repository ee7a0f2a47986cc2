package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"
)

// progress reports worlds done: a redrawn bar on a terminal, plain lines
// at most every few seconds elsewhere (CI logs), nothing for one world.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	total    int
	done_    int
	start    time.Time
	tty      bool
	quiet    bool
	lastLine time.Time
	simSecs  float64
}

func newProgress(w io.Writer, total int, quiet bool) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	return &progress{w: w, total: total, start: time.Now(), tty: tty, quiet: quiet}
}

func (p *progress) done(r *worldRun) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done_++
	if r.outcome != nil {
		p.simSecs += r.outcome.World.SimSeconds
	}
	if p.total < 2 || p.quiet && !p.tty {
		return
	}
	elapsed := time.Since(p.start)
	eta := time.Duration(float64(elapsed) / float64(p.done_) * float64(p.total-p.done_))
	if p.tty {
		const width = 30
		filled := width * p.done_ / p.total
		fmt.Fprintf(p.w, "\r[%s%s] %d/%d worlds  %s elapsed  ETA %s  ",
			strings.Repeat("=", filled), strings.Repeat(" ", width-filled), p.done_, p.total,
			elapsed.Round(time.Second), eta.Round(time.Second))
		return
	}
	if time.Since(p.lastLine) >= 5*time.Second || p.done_ == p.total {
		p.lastLine = time.Now()
		fmt.Fprintf(p.w, "progress: %d/%d worlds, %s elapsed, ETA %s\n", p.done_, p.total,
			elapsed.Round(time.Second), eta.Round(time.Second))
	}
}

func (p *progress) finish() {
	if p.tty && p.total >= 2 {
		fmt.Fprintln(p.w)
	}
	if p.total >= 2 {
		wall := time.Since(p.start).Seconds()
		fmt.Fprintf(p.w, "%d worlds, %.0f simulated seconds in %.1fs wall (%.0fx real time overall)\n",
			p.total, p.simSecs, wall, p.simSecs/max(wall, 1e-9))
	}
}
