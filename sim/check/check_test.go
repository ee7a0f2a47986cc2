package check

import (
	"testing"

	"github.com/redosim/redosim/sim"
)

func TestSetRecordsFirstViolation(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{})
	s := NewSet(w)
	a := s.Add("a", "a holds")
	b := s.Add("b", "b holds")
	var seen []string
	s.OnViolation = func(c *Checker, v Violation) { seen = append(seen, c.Name()) }
	a.Pass()
	w.Loop.At(10, func() { b.Failf("b broke at %d", 1) })
	w.Loop.At(20, func() { a.Check(false, "a broke") })
	w.Loop.At(30, func() { b.Failf("again") })
	w.Loop.Run()
	if s.Held() {
		t.Fatal("set held after violations")
	}
	c, v := s.FirstViolation()
	if c != b || v.At != 10 || v.Detail != "b broke at 1" {
		t.Fatalf("first violation = %v %+v", c.Name(), v)
	}
	if b.Violations() != 2 || a.Violations() != 1 || a.Evaluated() != 2 {
		t.Fatalf("counts: a %d/%d b %d", a.Violations(), a.Evaluated(), b.Violations())
	}
	if len(seen) != 3 || s.Add("a", "") != a || s.Get("b") != b || s.Get("zz") != nil {
		t.Fatalf("seen %v", seen)
	}
}
