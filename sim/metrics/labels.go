package metrics

import (
	"fmt"
	"slices"
	"strings"
)

// Label is one key=value dimension of a metric, such as node=n1.
type Label struct {
	Key   string
	Value string
}

// L returns the label key=value; it keeps call sites short:
// reg.Counter("disk_fsyncs", metrics.L("node", "n1")).
func L(key, value string) Label { return Label{Key: key, Value: value} }

// Key returns the canonical key of a metric: the name followed, when there
// are labels, by the labels sorted by key in braces, e.g.
// "disk_fsyncs{disk=nvme0,node=n1}". It panics on an invalid name, key or
// value, or on a repeated label key (see Registry.Counter).
func Key(name string, labels ...Label) string {
	_, key := canonical(name, labels)
	return key
}

// canonical validates name and labels and returns a sorted copy of the
// labels with the canonical key. With no labels it allocates nothing.
func canonical(name string, labels []Label) ([]Label, string) {
	checkToken("metric name", name, nameByte)
	if len(labels) == 0 {
		return nil, name
	}
	sorted := slices.Clone(labels)
	slices.SortFunc(sorted, func(a, b Label) int { return strings.Compare(a.Key, b.Key) })
	n := len(name) + 2
	for i, l := range sorted {
		checkToken("label key", l.Key, nameByte)
		checkToken("label value", l.Value, valueByte)
		if i > 0 && sorted[i-1].Key == l.Key {
			panic(fmt.Sprintf("sim/metrics: metric %s has label %q twice", name, l.Key))
		}
		n += len(l.Key) + len(l.Value) + 2
	}
	var b strings.Builder
	b.Grow(n)
	b.WriteString(name)
	b.WriteByte('{')
	for i, l := range sorted {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(l.Key)
		b.WriteByte('=')
		b.WriteString(l.Value)
	}
	b.WriteByte('}')
	return sorted, b.String()
}

// checkToken panics when s is empty or holds a byte ok rejects: a bad metric
// name is a bug in the caller, not a condition of the world.
func checkToken(what, s string, ok func(byte) bool) {
	if s == "" {
		panic(fmt.Sprintf("sim/metrics: empty %s", what))
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			panic(fmt.Sprintf("sim/metrics: %s %q has a forbidden byte %q", what, s, s[i]))
		}
	}
}

// nameByte admits the bytes of metric names and label keys:
// letters, digits and _ . / : -.
func nameByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("_./:-", c) >= 0
}

// valueByte admits every printable byte of a label value except the
// separators of the canonical key, so the key stays unambiguous.
func valueByte(c byte) bool {
	return c > ' ' && c != 0x7f && strings.IndexByte("{}=,", c) < 0
}

// compareLabels orders label lists lexicographically by (key, value) pairs,
// a shorter list first when one is a prefix of the other.
func compareLabels(a, b []Label) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := strings.Compare(a[i].Key, b[i].Key); c != 0 {
			return c
		}
		if c := strings.Compare(a[i].Value, b[i].Value); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// compareID orders metrics and series by name, then labels.
func compareID(nameA string, labelsA []Label, nameB string, labelsB []Label) int {
	if c := strings.Compare(nameA, nameB); c != 0 {
		return c
	}
	return compareLabels(labelsA, labelsB)
}
