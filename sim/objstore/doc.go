// Package objstore simulates an object store the way TiCDC's redo log uses
// S3: whole objects written by PUT, read by GET, enumerated by LIST and
// removed by DELETE, each a request that completes as a loop event after a
// drawn latency.
//
// The consistency model is the one S3 has offered since 2020 (strong
// read-after-write), reduced to two linearization points:
//
//   - A PUT or DELETE takes effect at its completion instant, all or
//     nothing: before it completes, readers see the old state; a failed or
//     throttled PUT changes nothing. There is no rename and no append, so a
//     reader never sees a partial object. Of two PUTs to one key, the one
//     that completes last wins (ties: the one issued last).
//   - A GET or LIST reads the state at its issue instant (the request reaches
//     the service at once; the latency is spent on the service and on the
//     transfer back) and hands that snapshot over at completion.
//
// Latency of one request = draw(op latency) + size/bandwidth for PUT and
// GET, times SlowFactor for a slow request. A throttled request (HTTP 503
// SlowDown) returns after the base draw alone with a *ThrottleError carrying
// RetryAfter; an injected PUT failure (HTTP 500) returns after the full
// latency with ErrPutFailed. Throttling applies to every kind of request,
// failure only to PUT.
//
// The store stands outside every node: crashing a node does not touch it,
// and a request that node issued before the crash still completes, lands
// (for a PUT) and calls its done func. A caller whose actor died must drop
// that callback itself, for example with node.Guard1.
//
// Randomness: each request draws, from the stream
// "sim/objstore/<store name>/<key>" (the prefix for LIST), three uniforms
// (throttle, failure, slowness) and one latency, whatever the outcome, so
// changing a probability or the traffic on another key does not shift the
// draws of a key. Fault points (see faultpoints.go) fire in addition to the
// probabilities. Every completed request is recorded in the world's trace
// with kind "objstore/<op>", the store name as actor and a digest of key,
// size and outcome.
//
// Usage:
//
//	s := objstore.New(w, objstore.DefaultConfig())
//	s.Put("redo/cf1/meta", data, func(err error) { ... })
//	s.Get("redo/cf1/meta", func(data []byte, err error) { ... })
//	w.Loop.Run()
//
// A Store is not safe for concurrent use: one world, one goroutine.
package objstore
