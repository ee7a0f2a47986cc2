//go:build invariants

package invariants

// Enabled reports whether checks run: true in builds with -tags
// invariants (make, CI, simulation builds).
const Enabled = true
