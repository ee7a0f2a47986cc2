package scenarios

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// ErrConfig is wrapped by every error in a scenario's configuration: an
// unknown parameter, a value of the wrong kind, an unknown variant. simrun
// exits 2 on it.
var ErrConfig = errors.New("bad configuration")

// Kind is the type of a parameter's value.
type Kind uint8

// The parameter kinds.
const (
	KindInt      Kind = iota + 1 // a whole number
	KindFloat                    // a number
	KindBool                     // true or false
	KindString                   // free text, or one of Choices
	KindDuration                 // a Go duration: 300ms, 2s, 10m
	KindBytes                    // a size: 512, 64KiB, 1GiB
	KindDist                     // a distribution: exp(2ms), uniform(1,5)...
)

// String names the kind as help text shows it.
func (k Kind) String() string {
	switch k {
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindBool:
		return "bool"
	case KindDuration:
		return "duration"
	case KindBytes:
		return "bytes"
	case KindDist:
		return "distribution"
	}
	return "string"
}

// Param declares one parameter of a scenario.
type Param struct {
	Key     string
	Kind    Kind
	Default string
	Doc     string
	// Choices, when set, lists the only values allowed.
	Choices []string
}

// Validate parses value as the parameter's kind and returns a clear error
// naming the key and what is allowed.
func (p Param) Validate(value string) error {
	if len(p.Choices) > 0 {
		for _, c := range p.Choices {
			if value == c {
				return nil
			}
		}
		return fmt.Errorf("%w: %s=%q: allowed values are %s", ErrConfig, p.Key, value, strings.Join(p.Choices, ", "))
	}
	var err error
	switch p.Kind {
	case KindInt:
		_, err = strconv.ParseInt(value, 10, 64)
	case KindFloat:
		_, err = strconv.ParseFloat(value, 64)
	case KindBool:
		_, err = strconv.ParseBool(value)
	case KindDuration:
		_, err = sim.ParseDuration(value)
	case KindBytes:
		_, err = ParseBytes(value)
	case KindDist:
		_, err = dist.Parse(value)
	}
	if err != nil {
		return fmt.Errorf("%w: %s=%q is not a valid %s: %w", ErrConfig, p.Key, value, p.Kind, err)
	}
	return nil
}

// ParseBytes reads a size: a whole number with an optional unit B, KB, KiB,
// MB, MiB, GB, GiB (decimal units are powers of 1000).
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("size %q: want a number with an optional unit (KiB, MiB, GiB, KB, MB, GB)", s)
	}
	return int64(n * float64(mult)), nil
}

// Values is a resolved parameter set: every declared key with its value.
type Values struct {
	params []Param
	values map[string]string
}

// resolve layers defaults, a variant's settings and user settings, in
// that order, and validates every value.
func resolve(params []Param, layers ...map[string]string) (Values, error) {
	v := Values{params: params, values: make(map[string]string, len(params))}
	known := make(map[string]Param, len(params))
	for _, p := range params {
		known[p.Key] = p
		v.values[p.Key] = p.Default
	}
	for _, layer := range layers {
		keys := make([]string, 0, len(layer))
		for k := range layer {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			p, ok := known[k]
			if !ok {
				return v, fmt.Errorf("%w: unknown parameter %q (see simrun -describe for the list)", ErrConfig, k)
			}
			if err := p.Validate(layer[k]); err != nil {
				return v, err
			}
			v.values[k] = layer[k]
		}
	}
	return v, nil
}

// String returns the raw value of key.
func (v Values) String(key string) string {
	s, ok := v.values[key]
	if !ok {
		panic(fmt.Sprintf("scenarios: parameter %q is not declared", key))
	}
	return s
}

// Int returns key as an int.
func (v Values) Int(key string) int {
	n, _ := strconv.ParseInt(v.String(key), 10, 64)
	return int(n)
}

// Float returns key as a float64.
func (v Values) Float(key string) float64 {
	f, _ := strconv.ParseFloat(v.String(key), 64)
	return f
}

// Bool returns key as a bool.
func (v Values) Bool(key string) bool {
	b, _ := strconv.ParseBool(v.String(key))
	return b
}

// Duration returns key as a virtual duration.
func (v Values) Duration(key string) sim.Duration {
	d, _ := sim.ParseDuration(v.String(key))
	return d
}

// Bytes returns key as a byte count.
func (v Values) Bytes(key string) int64 {
	n, _ := ParseBytes(v.String(key))
	return n
}

// Dist returns key as a distribution.
func (v Values) Dist(key string) dist.Dist {
	d, _ := dist.Parse(v.String(key))
	return d
}

// List returns every key with its value, in declaration order.
func (v Values) List() [][2]string {
	out := make([][2]string, 0, len(v.params))
	for _, p := range v.params {
		out = append(out, [2]string{p.Key, v.values[p.Key]})
	}
	return out
}

// Changed returns the keys whose value differs from the default, sorted,
// as key=value pairs (for replay commands).
func (v Values) Changed() []string {
	var out []string
	for _, p := range v.params {
		if v.values[p.Key] != p.Default {
			out = append(out, p.Key+"="+v.values[p.Key])
		}
	}
	return out
}
