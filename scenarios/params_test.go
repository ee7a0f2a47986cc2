package scenarios

import (
	"errors"
	"strconv"
	"testing"

	"github.com/redosim/redosim/sim/dist"
)

// TestValidateWrapsTheCause: a rejected parameter value is ErrConfig and
// still carries the parser's own error, so a caller can tell a bad
// distribution from a bad number with errors.Is and errors.As rather than
// by reading the message.
func TestValidateWrapsTheCause(t *testing.T) {
	err := Param{Key: "latency", Kind: KindDist}.Validate("zipf(")
	if !errors.Is(err, ErrConfig) || !errors.Is(err, dist.ErrSyntax) {
		t.Errorf("bad distribution: %v is not both ErrConfig and dist.ErrSyntax", err)
	}
	err = Param{Key: "tables", Kind: KindInt}.Validate("many")
	var ne *strconv.NumError
	if !errors.Is(err, ErrConfig) || !errors.As(err, &ne) {
		t.Errorf("bad int: %v is not both ErrConfig and a *strconv.NumError", err)
	}
}
