package invariants_test

import (
	"fmt"

	"github.com/redosim/redosim/internal/invariants"
)

func ExampleFailf() {
	written, synced := 10, 12
	v := invariants.Catch(func() {
		if synced > written { // in package code: invariants.Enabled && ...
			invariants.Failf("synced <= written: synced %d > written %d", synced, written)
		}
	})
	fmt.Println(v)
	// Output: invariant violated: synced <= written: synced 12 > written 10
}
