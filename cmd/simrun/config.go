package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/redosim/redosim/scenarios"
)

// scenarioFile is a -config file: what the flags say, in TOML.
//
//	scenario = "syncpoint"
//	seeds = 5                 # or seed = 7, or seed-range = "1..20"
//	duration = "5m"
//	variants = ["none", "v2-4950"]
//	[set]
//	tables = 32
//	syncpoint-interval = "30s"
type scenarioFile struct {
	Scenario  string         `toml:"scenario"`
	Seed      *int64         `toml:"seed"`
	Seeds     int            `toml:"seeds"`
	SeedRange string         `toml:"seed-range"`
	Duration  string         `toml:"duration"`
	Variants  []string       `toml:"variants"`
	Faults    string         `toml:"faults"`
	Set       map[string]any `toml:"set"`
}

// applyConfigFile fills options from a -config file; flags given on the
// command line win.
func applyConfigFile(o *options) error {
	var f scenarioFile
	md, err := toml.DecodeFile(o.config, &f)
	if err != nil {
		return usagef("-config %s: %v", o.config, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return usagef("-config %s: unknown key %q (keys: scenario, seed, seeds, seed-range, duration, variants, faults, [set])", o.config, und[0].String())
	}
	if o.scenario == "" {
		o.scenario = f.Scenario
	}
	if !o.seedSet && o.seeds == 0 && o.seedRange == "" {
		switch {
		case f.Seed != nil:
			if *f.Seed < 0 {
				return usagef("-config %s: seed %d must not be negative", o.config, *f.Seed)
			}
			o.seed, o.seedSet = uint64(*f.Seed), true
		case f.Seeds != 0:
			o.seeds = f.Seeds
		case f.SeedRange != "":
			o.seedRange = f.SeedRange
		}
	}
	if o.duration == "" {
		o.duration = f.Duration
	}
	if o.variants == "" && len(f.Variants) > 0 {
		o.variants = strings.Join(f.Variants, ",")
	}
	if o.faults == "" {
		o.faults = f.Faults
	}
	keys := make([]string, 0, len(f.Set))
	for k := range f.Set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var fromFile multiFlag
	for _, k := range keys {
		fromFile = append(fromFile, k+"="+fmt.Sprint(f.Set[k]))
	}
	o.sets = append(fromFile, o.sets...) // command-line -set comes last and wins
	return nil
}

// TiCDC changefeed keys the model does not use: accepted with a note.
var changefeedUnmodelled = map[string]bool{
	"performance-mode": true, "case-sensitive": true, "force-replicate": true, "check-gc-safe-point": true,
	"enable-table-monitor": true, "ignore-ineligible-table": true, "bdr-mode": true, "sync-point-retention": true,
	"filter": true, "mounter": true, "sink": true, "scheduler": true, "integrity": true,
	"changefeed-error-stuck-duration": true, "synced-status": true, "enable-active-active": true,
	"active-active-progress-interval": true, "active-active-sync-stats-interval": true,
	"event-collector-batch-count": true, "event-collector-batch-bytes": true, "sql-mode": true,
}

// TiCDC [consistent] keys the model does not use.
var consistentUnmodelled = map[string]bool{
	"encoding-worker-num": true, "flush-worker-num": true, "use-file-backend": true,
	"compression": true, "flush-concurrency": true, "event-collector-batch-count": true,
}

// mapChangefeedConfig reads a TiCDC changefeed TOML file and maps the keys
// the model uses onto scenario parameters. Keys TiCDC has but the model
// does not use come back as notes; keys TiCDC does not have, and values
// TiCDC itself would reject, are errors naming them.
func mapChangefeedConfig(path string, sc *scenarios.Scenario) (map[string]string, []string, error) {
	var raw map[string]any
	if _, err := toml.DecodeFile(path, &raw); err != nil {
		return nil, nil, usagef("-changefeed-config %s: %v", path, err)
	}
	m := &cfMapper{path: path, sc: sc, out: map[string]string{}}
	keys := sortedKeys(raw)
	for _, k := range keys {
		if err := m.top(k, raw[k]); err != nil {
			return nil, nil, err
		}
	}
	return m.out, m.notes, nil
}

type cfMapper struct {
	path  string
	sc    *scenarios.Scenario
	out   map[string]string
	notes []string
}

func (m *cfMapper) errf(format string, args ...any) error {
	return usagef("-changefeed-config %s: %s", m.path, fmt.Sprintf(format, args...))
}

// set maps a TiCDC key onto a scenario parameter, or notes that the
// scenario has no such parameter.
func (m *cfMapper) set(tidbKey, param, value string) error {
	p, ok := m.sc.Param(param)
	if !ok {
		m.notes = append(m.notes, fmt.Sprintf("%s: scenario %s does not model it; ignored", tidbKey, m.sc.Name))
		return nil
	}
	if err := p.Validate(value); err != nil {
		return m.errf("%s: %v", tidbKey, err)
	}
	m.out[param] = value
	return nil
}

func (m *cfMapper) top(k string, v any) error {
	switch k {
	case "memory-quota":
		n, err := asInt(v)
		if err != nil || n < 0 {
			return m.errf("memory-quota = %v: want a whole number of bytes", v)
		}
		if n == 0 {
			return nil // TiCDC falls back to its default
		}
		return m.set(k, "memory-quota", strconv.FormatInt(n, 10))
	case "enable-sync-point":
		b, ok := v.(bool)
		if !ok {
			return m.errf("enable-sync-point = %v: want true or false", v)
		}
		return m.set(k, "syncpoint", strconv.FormatBool(b))
	case "sync-point-interval":
		d, err := asDuration(v)
		if err != nil {
			return m.errf("sync-point-interval = %v: %v", v, err)
		}
		if d < 30*time.Second {
			return m.errf("sync-point-interval = %v: TiCDC requires at least 30s", v)
		}
		return m.set(k, "syncpoint-interval", d.String())
	case "consistent":
		sec, ok := v.(map[string]any)
		if !ok {
			return m.errf("consistent must be a table")
		}
		return m.consistent(sec)
	}
	if changefeedUnmodelled[k] {
		if k == "sync-point-retention" {
			if d, err := asDuration(v); err != nil || d < time.Hour {
				return m.errf("sync-point-retention = %v: TiCDC requires a duration of at least 1h", v)
			}
		}
		m.notes = append(m.notes, fmt.Sprintf("%s: a TiCDC setting the model does not use; accepted and ignored", k))
		return nil
	}
	return m.errf("unknown key %q: TiCDC's changefeed configuration has no such key", k)
}
