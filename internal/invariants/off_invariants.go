//go:build !invariants

package invariants

// Enabled reports whether checks run: false without -tags invariants, so
// the checks it guards are compiled out.
const Enabled = false
