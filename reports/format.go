package reports

import (
	"math"
	"strconv"
	"strings"

	"github.com/redosim/redosim/reports/stats"
)

// notAvailable stands for a number that does not exist (too few values).
const notAvailable = "n/a"

// fmtNum formats v with four significant digits, in plain notation from
// 0.001 to below 1e6 and in e-notation outside.
func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return notAvailable
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case v == 0:
		return "0"
	}
	a := math.Abs(v)
	if a >= 1e6 || a < 1e-3 {
		return strconv.FormatFloat(v, 'e', 3, 64)
	}
	digits := max(0, 3-int(math.Floor(math.Log10(a))))
	return strconv.FormatFloat(v, 'f', digits, 64)
}

// fmtInterval formats a confidence interval as "[lo, hi]" scaled by f.
func fmtInterval(iv stats.Interval, f float64) string {
	if !iv.Defined() {
		return notAvailable
	}
	return "[" + fmtNum(iv.Lo*f) + ", " + fmtNum(iv.Hi*f) + "]"
}

// fmtPercent formats a relative difference as a signed percentage.
func fmtPercent(v float64) string {
	if !isFinite(v) {
		return notAvailable
	}
	s := strconv.FormatFloat(v*100, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s + " %"
}

// sentence capitalises s and ends it with a period ("" stays "").
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// fmtShort formats v with at most four significant digits, trailing zeros
// dropped (for wall times and other incidental numbers).
func fmtShort(v float64) string {
	if !isFinite(v) {
		return notAvailable
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

// plural formats a count with its noun: "1 world", "5 worlds".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmtCount(n) + " " + noun + "s"
}

// fmtSeconds formats a virtual time in seconds.
func fmtSeconds(v float64) string {
	if !isFinite(v) {
		return notAvailable
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + " s"
}

// fmtCount formats an integer with comma grouping from 10,000 on.
func fmtCount(n int) string {
	s := strconv.Itoa(n)
	if n < 10000 && n > -10000 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteRune(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// joinSentences joins the non-empty texts as sentences.
func joinSentences(texts ...string) string {
	var parts []string
	for _, t := range texts {
		if t = sentence(t); t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " ")
}
