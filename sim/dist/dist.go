// Package dist holds the probability distributions a world draws from:
// constant, uniform, exponential, normal, lognormal, Pareto, Zipf and an
// empirical table. Every draw takes the caller's seeded stream, so a world
// stays deterministic; no distribution keeps randomness of its own.
//
// Distributions print and parse as short strings, so scenario files and
// flags can name them:
//
//	const(5ms)  uniform(1ms,5ms)  exp(2ms)  normal(10ms,2ms)
//	lognormal(3ms,0.5)  pareto(1ms,1.5)  empirical(1ms:0.5,2ms:0.9,10ms:1)
//
// Values may carry a duration unit (ns, us, ms, s, m, h), in which case they
// are nanoseconds, or be plain numbers. lognormal takes its median and the
// sigma of the underlying normal; pareto its scale and shape; empirical a
// list of value:cumulative-probability points ending at probability 1.
//
// Usage:
//
//	d, _ := dist.Parse("exp(2ms)")
//	latency := dist.Duration(d, w.Rand("net/n1->n2"))
package dist

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redosim/redosim/sim"
)

// ErrSyntax is wrapped by every Parse error.
var ErrSyntax = errors.New("sim/dist: bad distribution")

// Dist is a distribution of non-negative float64 values (nanoseconds when
// it models a duration).
type Dist interface {
	// Sample draws one value from r.
	Sample(r *sim.Rand) float64
	// Mean returns the distribution's mean (+Inf where it does not exist).
	Mean() float64
	// String returns the form Parse reads back.
	String() string
}

// Duration draws from d and returns the value as a virtual duration,
// clamped to be non-negative.
func Duration(d Dist, r *sim.Rand) sim.Duration {
	v := d.Sample(r)
	if v < 0 || math.IsNaN(v) {
		return 0
	}
	if v > math.MaxInt64/2 {
		return sim.Duration(math.MaxInt64 / 2)
	}
	return sim.Duration(v)
}

// Const always returns V.
type Const struct{ V float64 }

// Sample returns V.
func (c Const) Sample(*sim.Rand) float64 { return c.V }

// Mean returns V.
func (c Const) Mean() float64 { return c.V }

// String returns the form Parse reads back.
func (c Const) String() string { return "const(" + formatValue(c.V) + ")" }

// Uniform draws uniformly from [Lo, Hi).
type Uniform struct{ Lo, Hi float64 }

// Sample draws one value.
func (u Uniform) Sample(r *sim.Rand) float64 { return u.Lo + r.Float64()*(u.Hi-u.Lo) }

// Mean returns (Lo+Hi)/2.
func (u Uniform) Mean() float64 { return (u.Lo + u.Hi) / 2 }

// String returns the form Parse reads back.
func (u Uniform) String() string {
	return "uniform(" + formatValue(u.Lo) + "," + formatValue(u.Hi) + ")"
}

// Exp is the exponential distribution with mean M.
type Exp struct{ M float64 }

// Sample draws one value.
func (e Exp) Sample(r *sim.Rand) float64 { return r.ExpFloat64() * e.M }

// Mean returns M.
func (e Exp) Mean() float64 { return e.M }

// String returns the form Parse reads back.
func (e Exp) String() string { return "exp(" + formatValue(e.M) + ")" }

// Normal is the normal distribution with mean Mu and deviation Sigma,
// truncated at zero (negative draws return 0).
type Normal struct{ Mu, Sigma float64 }

// Sample draws one value.
func (n Normal) Sample(r *sim.Rand) float64 { return max(0, n.Mu+r.NormFloat64()*n.Sigma) }

// Mean returns Mu (ignoring the truncation at zero).
func (n Normal) Mean() float64 { return n.Mu }

// String returns the form Parse reads back.
func (n Normal) String() string {
	return "normal(" + formatValue(n.Mu) + "," + formatValue(n.Sigma) + ")"
}

// LogNormal has median Median: exp(ln(Median) + Sigma*N(0,1)). Its long
// right tail suits service latencies.
type LogNormal struct{ Median, Sigma float64 }

// Sample draws one value.
func (l LogNormal) Sample(r *sim.Rand) float64 {
	return l.Median * math.Exp(l.Sigma*r.NormFloat64())
}

// Mean returns Median*exp(Sigma²/2).
func (l LogNormal) Mean() float64 { return l.Median * math.Exp(l.Sigma*l.Sigma/2) }

// String returns the form Parse reads back.
func (l LogNormal) String() string {
	return "lognormal(" + formatValue(l.Median) + "," + strconv.FormatFloat(l.Sigma, 'g', -1, 64) + ")"
}

// Pareto has scale Xm (the minimum) and shape Alpha.
type Pareto struct{ Xm, Alpha float64 }

// Sample draws one value by inversion.
func (p Pareto) Sample(r *sim.Rand) float64 {
	u := 1 - r.Float64() // (0,1]
	return p.Xm / math.Pow(u, 1/p.Alpha)
}

// Mean returns Alpha*Xm/(Alpha-1), or +Inf for Alpha <= 1.
func (p Pareto) Mean() float64 {
	if p.Alpha <= 1 {
		return math.Inf(1)
	}
	return p.Alpha * p.Xm / (p.Alpha - 1)
}

// String returns the form Parse reads back.
func (p Pareto) String() string {
	return "pareto(" + formatValue(p.Xm) + "," + strconv.FormatFloat(p.Alpha, 'g', -1, 64) + ")"
}

// Empirical draws from a table of (value, cumulative probability) points,
// interpolating linearly between them. The first point's value is drawn
// for probabilities at or below its own.
type Empirical struct {
	values []float64
	cum    []float64
}

// NewEmpirical builds an empirical distribution; cum must be increasing and
// end at 1, values non-decreasing.
func NewEmpirical(values, cum []float64) (*Empirical, error) {
	if len(values) == 0 || len(values) != len(cum) {
		return nil, fmt.Errorf("%w: empirical needs matching, non-empty value and probability lists", ErrSyntax)
	}
	for i := range cum {
		if cum[i] <= 0 || cum[i] > 1 || (i > 0 && (cum[i] <= cum[i-1] || values[i] < values[i-1])) {
			return nil, fmt.Errorf("%w: empirical point %d (%v:%v) is out of order or out of (0,1]", ErrSyntax, i, values[i], cum[i])
		}
	}
	if cum[len(cum)-1] != 1 {
		return nil, fmt.Errorf("%w: empirical probabilities must end at 1, got %v", ErrSyntax, cum[len(cum)-1])
	}
	return &Empirical{values: append([]float64(nil), values...), cum: append([]float64(nil), cum...)}, nil
}

// Sample draws one value. O(log n) in the number of points.
func (e *Empirical) Sample(r *sim.Rand) float64 {
	u := r.Float64()
	i := sort.SearchFloat64s(e.cum, u)
	if i == 0 {
		return e.values[0]
	}
	if i >= len(e.cum) {
		i = len(e.cum) - 1
	}
	lo, hi := e.cum[i-1], e.cum[i]
	f := (u - lo) / (hi - lo)
	return e.values[i-1] + f*(e.values[i]-e.values[i-1])
}

// Mean returns the mean of the piecewise-linear distribution.
func (e *Empirical) Mean() float64 {
	m := e.values[0] * e.cum[0]
	for i := 1; i < len(e.cum); i++ {
		m += (e.cum[i] - e.cum[i-1]) * (e.values[i] + e.values[i-1]) / 2
	}
	return m
}

// String returns the form Parse reads back.
func (e *Empirical) String() string {
	parts := make([]string, len(e.values))
	for i := range e.values {
		parts[i] = formatValue(e.values[i]) + ":" + strconv.FormatFloat(e.cum[i], 'g', -1, 64)
	}
	return "empirical(" + strings.Join(parts, ",") + ")"
}

// formatValue prints a value as a duration when it is a whole number of
// nanoseconds of at least a microsecond, else as a plain number.
func formatValue(v float64) string {
	if v >= 1000 && v == math.Trunc(v) && v < math.MaxInt64/2 {
		return time.Duration(int64(v)).String()
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
