package fault

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pingcap/failpoint"
)

// TransportTerm is the failpoint term every armed point is enabled with in
// failpoint's process-wide registry. It is constant and stateless: it
// carries no value (the value is the plan's, per world), no count and no
// probability, so enabling it from any number of worlds at once is
// idempotent and shares no state between them.
const TransportTerm = "return(true)"

// ValidateTerm reports whether term may be used for a failpoint that a
// simulated world evaluates. Only a bare return is allowed: "return",
// "return()", "return(<int>)", "return(<bool>)" or "return(<quoted
// string>)". Rejected, with the reason in the error:
//   - "p%" draws from the global math/rand, which no seed replays;
//   - "n*" counts and "->" chains keep state in the global registry that
//     every world evaluating the point would consume, coupling worlds;
//   - sleep and pause block on the wall clock; print writes to stdout;
//     break starts a debugger; panic kills the process; off fires with a
//     nil value (pingcap/failpoint:terms.go parseAct).
func ValidateTerm(term string) error {
	if term == "" {
		return errors.New("sim/fault: empty failpoint term")
	}
	if c := term[0]; c == '.' || ('0' <= c && c <= '9') {
		return fmt.Errorf("sim/fault: failpoint term %q: %% and * modifiers draw global randomness or keep global counts", term)
	}
	action, arg, hasArg := strings.Cut(term, "(")
	switch action {
	case "return":
	case "sleep", "pause":
		return fmt.Errorf("sim/fault: failpoint term %q: %s blocks on the wall clock", term, action)
	case "print", "break", "panic", "off":
		return fmt.Errorf("sim/fault: failpoint term %q: %s is not a fault the world can decide", term, action)
	default:
		return fmt.Errorf("sim/fault: failpoint term %q: unknown or chained action %q; want return(...)", term, action)
	}
	if !hasArg {
		return nil
	}
	inner, ok := strings.CutSuffix(arg, ")")
	if !ok {
		return fmt.Errorf("sim/fault: failpoint term %q: want return(<value>) and nothing after it", term)
	}
	if !validReturnArg(inner) {
		return fmt.Errorf("sim/fault: failpoint term %q: argument %q is not an int, a bool or a quoted string", term, inner)
	}
	return nil
}

// validReturnArg accepts what failpoint's return takes: nothing, an int, a
// bool or one Go-quoted string (so "->" inside quotes is not a chain).
func validReturnArg(s string) bool {
	if s == "" || s == "true" || s == "false" {
		return true
	}
	if _, err := strconv.Atoi(s); err == nil {
		return true
	}
	if len(s) >= 2 && s[0] == '"' {
		_, err := strconv.Unquote(s)
		return err == nil
	}
	return false
}

// enableTransport enables point in failpoint's registry with TransportTerm
// unless it already is. Several worlds may call it at once: they all write
// the same term, and failpoint's own locks keep the registry consistent.
func enableTransport(point string) error {
	if status, err := failpoint.Status(point); err == nil && status == TransportTerm {
		return nil
	}
	return failpoint.Enable(point, TransportTerm)
}
