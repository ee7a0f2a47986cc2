package swarm

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

func TestExp5(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("N"))
	for s := 1; s <= n; s++ {
		w := Generate(uint64(s))
		if !w.Liveness { continue }
		w.Liveness = false
		spec, _ := w.Spec()
		out, err := runSafely(spec)
		if err != nil { continue }
		lv := judgeLiveness(spec, out.World)
		if lv.Judged && !lv.Held {
			fmt.Println(s, lv.Detail, len(w.Faults))
		}
	}
}
