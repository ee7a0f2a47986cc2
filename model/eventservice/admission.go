package eventservice

import (
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// tokenBucket is the service's scan rate limiter (TiCDC's scanRateLimiter,
// golang.org/x/time/rate with limit = burst = scan-limit-in-bytes) on
// virtual time with integer arithmetic: the level is kept in byte
// nanoseconds per second, so refills lose nothing to rounding.
type tokenBucket struct {
	ratePerSec int64 // bytes per second
	burst      int64 // bytes
	levelNano  int64 // tokens x 1e9
	at         sim.Instant
}

// nanoPerSec scales bytes to the bucket's level unit.
const nanoPerSec = int64(sim.Second)

// newTokenBucket returns a full bucket at now.
func newTokenBucket(ratePerSec, burst int64, now sim.Instant) tokenBucket {
	return tokenBucket{ratePerSec: ratePerSec, burst: burst, levelNano: burst * nanoPerSec, at: now}
}

// refill adds the tokens earned since the last call, up to the burst.
func (b *tokenBucket) refill(now sim.Instant) {
	if now <= b.at {
		return
	}
	full := b.burst * nanoPerSec
	dt := int64(now.Sub(b.at))
	b.at = now
	if dt >= (full-b.levelNano)/b.ratePerSec+1 {
		b.levelNano = full
		return
	}
	b.levelNano = min(full, b.levelNano+dt*b.ratePerSec)
}

// allowN takes n tokens at now and reports true, or takes none and
// reports false when fewer than n are there (always for n above the
// burst). n <= 0 is always allowed.
func (b *tokenBucket) allowN(now sim.Instant, n int64) bool {
	if n <= 0 {
		return true
	}
	if n > b.burst {
		return false
	}
	b.refill(now)
	if b.levelNano < n*nanoPerSec {
		return false
	}
	b.levelNano -= n * nanoPerSec
	return true
}

// tokens returns the whole tokens in the bucket at now.
func (b *tokenBucket) tokens(now sim.Instant) int64 {
	b.refill(now)
	return b.levelNano / nanoPerSec
}

// skipReason names why a scan attempt was refused (TiCDC's
// EventServiceSkipScanCount labels where they exist).
type skipReason string

const (
	skipNone            skipReason = ""
	skipNoQuota         skipReason = "no_quota"
	skipChangefeedQuota skipReason = "changefeed_quota"
	skipDispatcherQuota skipReason = "dispatcher_quota"
	skipRateLimit       skipReason = "rate_limit"
	skipQueueFull       skipReason = "queue_full"
)

// admission is the outcome of admit: the budget debited and whether the
// scan may start.
type admission struct {
	budget int64
	// charged is what the rate limiter took (0 when it refused).
	charged int64
	// availableBefore is the changefeed's available memory for the
	// collector before the debit, dispatcherAvailable the dispatcher's.
	availableBefore, dispatcherAvailable int64
	reason                               skipReason
}

// admit runs TiCDC doScan's admission, in order: the rate limiter charges
// the dispatcher's last scanned bytes; the collector must have reported;
// low changefeed memory resets the dispatcher's budget; the budget is
// debited from the changefeed's available memory (refused if short); the
// dispatcher's available memory must cover it (else the debit is given
// back). A refusal for quota resends the signal resolved ts.
func (s *Service) admit(d *dispatcherStat) admission {
	charged := d.lastScanBytes
	if !s.limiter.allowN(s.w.Now(), charged) {
		return admission{reason: skipRateLimit}
	}
	avail, ok := s.cf.available[d.collector]
	if !ok {
		return admission{charged: charged, reason: skipNoQuota}
	}
	if avail < s.cfg.LowMemoryBytes {
		s.resetScanLimit(d)
	}
	a := admission{budget: s.currentScanLimit(d), charged: charged, availableBefore: avail, dispatcherAvailable: d.availableBytes}
	if s.cfg.bug == bugSkipAdmission {
		s.cf.available[d.collector] = avail - a.budget
		return a
	}
	if avail < a.budget {
		s.sendSignalResolved(d)
		a.reason = skipChangefeedQuota
		return a
	}
	if a.budget > d.availableBytes {
		s.sendSignalResolved(d)
		a.reason = skipDispatcherQuota
		return a
	}
	s.cf.available[d.collector] = avail - a.budget
	return a
}

// refund gives n bytes back to cf's available memory for collector (the
// unused part of a scan's budget). It does nothing when cf is no longer
// the service's changefeed status or the collector's entry is gone.
func (s *Service) refund(cf *changefeedStatus, collector netsim.NodeID, n int64) {
	if n <= 0 || cf == nil || s.cf != cf {
		return
	}
	if v, ok := s.cf.available[collector]; ok {
		s.cf.available[collector] = v + n
	}
}

// countSkip counts a refused attempt.
func (s *Service) countSkip(d *dispatcherStat, r skipReason) {
	switch r {
	case skipNoQuota:
		s.stats.Skips.NoQuota++
	case skipChangefeedQuota:
		s.stats.Skips.ChangefeedQuota++
	case skipDispatcherQuota:
		s.stats.Skips.DispatcherQuota++
	case skipRateLimit:
		s.stats.Skips.RateLimit++
	case skipQueueFull:
		s.stats.Skips.QueueFull++
	}
	s.m.skip(r, d.id.Mode).Inc()
	s.w.Record("eventservice/skip", s.actor, sim.Digest(idDigest(d.id), sim.StreamKey(string(r))))
}
