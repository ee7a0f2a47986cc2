package reports

import "math"

// unitScale picks a readable display unit for values of unit whose typical
// magnitude is typical: seconds become ms or µs, bytes KiB, MiB or GiB.
// Other units are shown as they are. It returns the display unit and the
// factor to multiply values by.
func unitScale(unit string, typical float64) (string, float64) {
	a := math.Abs(typical)
	if !isFinite(a) || a == 0 {
		return unit, 1
	}
	switch unit {
	case "s":
		switch {
		case a < 1e-3:
			return "µs", 1e6
		case a < 1:
			return "ms", 1e3
		}
	case "B", "bytes":
		switch {
		case a >= 1<<30:
			return "GiB", 1.0 / (1 << 30)
		case a >= 1<<20:
			return "MiB", 1.0 / (1 << 20)
		case a >= 1<<10:
			return "KiB", 1.0 / (1 << 10)
		}
	}
	return unit, 1
}

func scaled(values []float64, f float64) []float64 {
	out := make([]float64, len(values))
	for i, v := range values {
		out[i] = v * f
	}
	return out
}

// axisLabel is "name (unit)", or name alone when unit is empty.
func axisLabel(name, unit string) string {
	if unit == "" {
		return name
	}
	return name + " (" + unit + ")"
}
