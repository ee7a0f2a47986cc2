package dist

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Parse reads a distribution in the form its String method prints, e.g.
// "exp(2ms)" or "uniform(1,5)". Errors wrap ErrSyntax and name the problem.
func Parse(s string) (Dist, error) {
	s = strings.TrimSpace(s)
	open := strings.IndexByte(s, '(')
	if open <= 0 || !strings.HasSuffix(s, ")") {
		return nil, fmt.Errorf("%w %q: want name(args), e.g. exp(2ms)", ErrSyntax, s)
	}
	name, body := s[:open], s[open+1:len(s)-1]
	if name == "empirical" {
		return parseEmpirical(body)
	}
	args, err := parseValues(body)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrSyntax, s, err)
	}
	want := map[string]int{"const": 1, "uniform": 2, "exp": 1, "normal": 2, "lognormal": 2, "pareto": 2}
	n, ok := want[name]
	if !ok {
		return nil, fmt.Errorf("%w %q: unknown distribution %q (const, uniform, exp, normal, lognormal, pareto, empirical)", ErrSyntax, s, name)
	}
	if len(args) != n {
		return nil, fmt.Errorf("%w %q: %s takes %d argument(s), got %d", ErrSyntax, s, name, n, len(args))
	}
	for _, a := range args {
		if a < 0 {
			return nil, fmt.Errorf("%w %q: arguments must not be negative", ErrSyntax, s)
		}
	}
	switch name {
	case "const":
		return Const{V: args[0]}, nil
	case "uniform":
		if args[1] < args[0] {
			return nil, fmt.Errorf("%w %q: uniform needs lo <= hi", ErrSyntax, s)
		}
		return Uniform{Lo: args[0], Hi: args[1]}, nil
	case "exp":
		return Exp{M: args[0]}, nil
	case "normal":
		return Normal{Mu: args[0], Sigma: args[1]}, nil
	case "lognormal":
		return LogNormal{Median: args[0], Sigma: args[1]}, nil
	default: // pareto
		if args[0] <= 0 || args[1] <= 0 {
			return nil, fmt.Errorf("%w %q: pareto needs positive scale and shape", ErrSyntax, s)
		}
		return Pareto{Xm: args[0], Alpha: args[1]}, nil
	}
}

// MustParse is Parse for constant strings in code; it panics on error.
func MustParse(s string) Dist {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func parseValues(body string) ([]float64, error) {
	if strings.TrimSpace(body) == "" {
		return nil, nil
	}
	fields := strings.Split(body, ",")
	out := make([]float64, len(fields))
	for i, f := range fields {
		v, err := ParseValue(f)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// ParseValue reads a number, or a duration with a unit as nanoseconds.
func ParseValue(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseFloat(s, 64); err == nil {
		return v, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("value %q is neither a number nor a duration", s)
	}
	return float64(d), nil
}

func parseEmpirical(body string) (Dist, error) {
	var values, cum []float64
	for _, pt := range strings.Split(body, ",") {
		v, p, ok := strings.Cut(pt, ":")
		if !ok {
			return nil, fmt.Errorf("%w: empirical point %q: want value:probability", ErrSyntax, pt)
		}
		fv, err := ParseValue(v)
		if err != nil {
			return nil, fmt.Errorf("%w: empirical point %q: %w", ErrSyntax, pt, err)
		}
		fp, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, fmt.Errorf("%w: empirical point %q: bad probability", ErrSyntax, pt)
		}
		values, cum = append(values, fv), append(cum, fp)
	}
	return NewEmpirical(values, cum)
}
