package invariants_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/redosim/redosim/internal/invariants"
)

func TestFailfPanicsWithAViolationMarkedErrBug(t *testing.T) {
	v := invariants.Catch(func() { invariants.Failf("x <= y: x %d > y %d", 2, 1) })
	if v == nil {
		t.Fatal("Failf returned")
	}
	if !errors.Is(v, invariants.ErrBug) {
		t.Fatalf("%v is not ErrBug", v)
	}
	if !strings.Contains(v.Error(), "x <= y: x 2 > y 1") {
		t.Fatalf("message %q does not quote the rule", v.Error())
	}
}

func TestCatchReturnsNilWithoutPanic(t *testing.T) {
	if v := invariants.Catch(func() {}); v != nil {
		t.Fatalf("Catch = %v", v)
	}
}

func TestCatchPassesOtherPanicsOn(t *testing.T) {
	defer func() {
		if r := recover(); r != "other" {
			t.Fatalf("recovered %v", r)
		}
	}()
	invariants.Catch(func() { panic("other") })
	t.Fatal("unreachable")
}
