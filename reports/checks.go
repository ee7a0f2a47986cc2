package reports

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/redosim/redosim/results"
)

// invariantTable shows every invariant's result per variant and, for each
// variant where it failed, its first violation.
type invariantTable struct {
	Variants   []string
	Rows       []invariantLine
	Violations []invariantRow
}

// invariantLine is one invariant across the variants.
type invariantLine struct {
	Name  string
	Cells []invariantRow
}

// invariantRow is one invariant for one variant.
type invariantRow struct {
	Name    string
	Variant string
	Held    string // "held in 5/5 worlds"
	Short   string // "5/5"
	OK      bool
	Checked bool // some world ran the checker
	// First violation, by seed order: the world, time, detail and the
	// command that replays it.
	FirstWorld, FirstAt, FirstDetail, Replay string
}

// invariantRows lists every invariant (in order of first appearance) for
// every variant, counting only the worlds that ran the checker.
func invariantRows(d *dataset) invariantTable {
	var names []string
	seen := map[string]bool{}
	for _, w := range d.worlds {
		for _, inv := range w.Invariants {
			if !seen[inv.Name] {
				seen[inv.Name] = true
				names = append(names, inv.Name)
			}
		}
	}
	t := invariantTable{Variants: d.variantNames()}
	for _, name := range names {
		line := invariantLine{Name: name}
		for _, v := range d.variants {
			row := invariantRowOf(name, v)
			line.Cells = append(line.Cells, row)
			if row.FirstWorld != "" {
				t.Violations = append(t.Violations, row)
			}
		}
		t.Rows = append(t.Rows, line)
	}
	if line, ok := progressLine(d); ok {
		for _, row := range line.Cells {
			if row.FirstWorld != "" {
				t.Violations = append(t.Violations, row)
			}
		}
		t.Rows = append(t.Rows, line)
	}
	return t
}

// progressName is the row the stall rule adds to the invariants table, so
// a stalled world is not all ticks.
const progressName = "progress (the report's stall rule, not a checker)"

// progressLine is the stall rule as an invariant row, when some world
// records the progress series.
func progressLine(d *dataset) (invariantLine, bool) {
	line := invariantLine{Name: progressName}
	any := false
	for _, v := range d.variants {
		row := invariantRow{Name: progressName, Variant: v.Name}
		ran, held := 0, 0
		for _, w := range v.Worlds {
			if !slices.ContainsFunc(w.Series, func(s results.Series) bool { return s.Metric == progressSeries && len(s.Labels) == 0 }) {
				continue
			}
			ran++
			st, stalled := detectStall(w)
			if !stalled {
				held++
				continue
			}
			if row.FirstWorld == "" {
				row.FirstWorld, row.Replay = worldName(w), w.Command
				row.FirstAt = fmtSeconds(st.At)
				row.FirstDetail = fmt.Sprintf("the changefeed checkpoint stopped moving (lag %s s at %s)", fmtNum(st.LagEnd), fmtSeconds(st.End))
			}
		}
		any = any || ran > 0
		row.OK, row.Checked = ran > 0 && held == ran, ran > 0
		row.Held = fmt.Sprintf("held in %d/%d worlds", held, ran)
		row.Short = fmt.Sprintf("%d/%d", held, ran)
		if ran == 0 {
			row.Held, row.Short = "not judged (no checkpoint lag series)", "not judged"
		}
		line.Cells = append(line.Cells, row)
	}
	return line, any
}

func invariantRowOf(name string, v *variantData) invariantRow {
	row := invariantRow{Name: name, Variant: v.Name}
	ran, held := 0, 0
	for _, w := range v.Worlds {
		for _, inv := range w.Invariants {
			if inv.Name != name {
				continue
			}
			ran++
			if inv.Held {
				held++
				continue
			}
			if row.FirstWorld == "" {
				row.FirstWorld, row.Replay = worldName(w), w.Command
				row.FirstDetail = fmt.Sprintf("%d violations", inv.Violations)
				if inv.First != nil {
					row.FirstAt = fmtSeconds(inv.First.At)
					row.FirstDetail = inv.First.Detail
				}
			}
		}
	}
	row.OK, row.Checked = ran > 0 && held == ran, ran > 0
	row.Held = fmt.Sprintf("held in %d/%d worlds", held, ran)
	row.Short = fmt.Sprintf("%d/%d", held, ran)
	if ran == 0 {
		row.Held, row.Short = "not checked (no worlds ran it)", "not checked"
	} else if ran < len(v.Worlds) {
		row.Held += fmt.Sprintf(" (not run in %d)", len(v.Worlds)-ran)
		row.Short += fmt.Sprintf(" (not run in %d)", len(v.Worlds)-ran)
	}
	return row
}

// faultRow is one distinct injected fault and the worlds that had it.
type faultRow struct {
	Kind, Target, At, Until, Detail, Worlds string
}

// faultRows groups identical faults (kind, target, window, detail) across
// worlds, ordered by time then kind.
func faultRows(d *dataset) []faultRow {
	type key struct {
		kind, target, detail string
		at, until            float64
	}
	byKey := map[key][]string{}
	var keys []key
	for _, w := range d.worlds {
		for _, f := range w.Faults {
			k := key{f.Kind, f.Target, f.Detail, f.At, f.Until}
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], worldName(w))
		}
	}
	sort.SliceStable(keys, func(i, j int) bool {
		if keys[i].at != keys[j].at {
			return keys[i].at < keys[j].at
		}
		return keys[i].kind < keys[j].kind
	})
	out := make([]faultRow, 0, len(keys))
	for _, k := range keys {
		until := fmtSeconds(k.until)
		if k.until == k.at {
			until = "instant"
		}
		out = append(out, faultRow{Kind: k.kind, Target: k.target, At: fmtSeconds(k.at), Until: until,
			Detail: k.detail, Worlds: worldSet(byKey[k], len(d.worlds))})
	}
	return out
}

// worldSet names the worlds, or says "all N worlds".
func worldSet(names []string, total int) string {
	if len(names) == total {
		return fmt.Sprintf("all %d worlds", total)
	}
	if len(names) > 8 {
		return fmt.Sprintf("%d worlds: %s, …", len(names), strings.Join(names[:8], ", "))
	}
	return strings.Join(names, ", ")
}
