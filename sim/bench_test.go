package sim

import "testing"

// BenchmarkKernelTimers is the timer-heavy model: 1000 actors each
// rescheduling itself after a random delay. One op is one event.
func BenchmarkKernelTimers(b *testing.B) {
	b.ReportAllocs()
	events := RunTimerModel(1000, b.N)
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkKernelPingPong is the message model: 100 pairs of actors
// bouncing a message with a 1 ms hop. One op is one delivered message.
func BenchmarkKernelPingPong(b *testing.B) {
	b.ReportAllocs()
	events := RunPingPongModel(100, b.N)
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
