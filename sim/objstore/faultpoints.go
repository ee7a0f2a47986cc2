package objstore

// Fault points of the object store. The world's fault decider is asked at
// each request, in addition to the configured probabilities; a firing point
// forces its fault on that request. Points are evaluated in the order
// throttle, putFail (PUT only, when not throttled), slow (when not
// throttled), so a count term such as "1*return" hits the first request
// that could take the fault.
const (
	// FaultPutFail makes a PUT fail with ErrPutFailed (an HTTP 500) after its
	// full latency; the object is not written. The value is ignored.
	FaultPutFail = "sim/objstore/putFail"
	// FaultThrottle makes a request fail with a *ThrottleError (an HTTP 503
	// SlowDown) after the base latency. A non-empty value is the retry-after
	// duration, e.g. "2s"; empty means Config.RetryAfter.
	FaultThrottle = "sim/objstore/throttle"
	// FaultSlow multiplies a request's latency. A non-empty value is the
	// factor, e.g. "20"; empty means Config.SlowFactor.
	FaultSlow = "sim/objstore/slow"
)
