package dist

import (
	"fmt"
	"math"
	"sort"

	"github.com/redosim/redosim/sim"
)

// Zipf picks an index in [0, N) with probability proportional to
// 1/(i+1)^S: index 0 is the hottest. S = 0 is uniform. Unlike
// math/rand's Zipf it accepts any S >= 0 and draws from the caller's stream.
type Zipf struct {
	cum []float64
	s   float64
}

// NewZipf builds a Zipf picker over n items with skew s. O(n) to build,
// O(log n) a draw.
func NewZipf(n int, s float64) (*Zipf, error) {
	if n <= 0 || s < 0 || math.IsNaN(s) {
		return nil, fmt.Errorf("sim/dist: zipf needs n > 0 and s >= 0, got n=%d s=%v", n, s)
	}
	cum := make([]float64, n)
	total := 0.0
	for i := range cum {
		total += 1 / math.Pow(float64(i+1), s)
		cum[i] = total
	}
	for i := range cum {
		cum[i] /= total
	}
	cum[n-1] = 1
	return &Zipf{cum: cum, s: s}, nil
}

// Pick draws an index.
func (z *Zipf) Pick(r *sim.Rand) int {
	i := sort.SearchFloat64s(z.cum, r.Float64())
	return min(i, len(z.cum)-1)
}

// Weight returns the probability of index i.
func (z *Zipf) Weight(i int) float64 {
	if i == 0 {
		return z.cum[0]
	}
	return z.cum[i] - z.cum[i-1]
}

// N returns the number of items.
func (z *Zipf) N() int { return len(z.cum) }
