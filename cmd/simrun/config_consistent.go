package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// consistent maps the [consistent] section (redo).
func (m *cfMapper) consistent(sec map[string]any) error {
	for _, k := range sortedKeys(sec) {
		v := sec[k]
		key := "consistent." + k
		var err error
		switch k {
		case "level":
			err = m.level(key, v)
		case "max-log-size":
			n, e := asInt(v)
			if e != nil || n < 0 {
				return m.errf("%s = %v: want a whole number of MiB", key, v)
			}
			if n > 0 {
				err = m.set(key, "max-log-size", fmt.Sprintf("%dMiB", n))
			}
		case "flush-interval", "meta-flush-interval":
			err = m.intervalMs(key, k, v)
		case "storage":
			err = m.storage(key, v)
		case "memory-usage":
			err = m.memoryUsage(key, v)
		default:
			if !consistentUnmodelled[k] {
				return m.errf("unknown key %q: TiCDC's [consistent] section has no such key", key)
			}
			err = m.unmodelledConsistent(key, k, v)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (m *cfMapper) level(key string, v any) error {
	s, ok := v.(string)
	if !ok || (s != "none" && s != "eventual") {
		return m.errf("%s = %v: TiCDC allows only \"none\" or \"eventual\"", key, v)
	}
	return m.set(key, "redo", strconv.FormatBool(s == "eventual"))
}

func (m *cfMapper) intervalMs(key, param string, v any) error {
	n, err := asInt(v)
	if err != nil {
		return m.errf("%s = %v: want milliseconds as a whole number", key, v)
	}
	if n == 0 {
		return nil // TiCDC's default
	}
	if n < 50 {
		return m.errf("%s = %d: TiCDC requires at least 50 (ms)", key, n)
	}
	return m.set(key, param, fmt.Sprintf("%dms", n))
}

// storage maps a redo storage URI's scheme onto the model's backends.
func (m *cfMapper) storage(key string, v any) error {
	s, ok := v.(string)
	if !ok {
		return m.errf("%s = %v: want a URI string", key, v)
	}
	scheme, _, found := strings.Cut(s, "://")
	if !found {
		return m.errf("%s = %q: want a URI such as s3://bucket/prefix or file:///path", key, s)
	}
	switch scheme {
	case "local", "file", "nfs":
		return m.set(key, "redo-storage", "disk")
	case "s3", "gcs", "gs", "azblob", "azure":
		return m.set(key, "redo-storage", "object")
	case "blackhole", "noop":
		m.notes = append(m.notes, fmt.Sprintf("%s: %s storage discards redo; the model keeps its storage parameter", key, scheme))
		return nil
	}
	return m.errf("%s = %q: TiCDC does not support the %q scheme (local, nfs, file, s3, gcs, azblob, blackhole, noop)", key, s, scheme)
}

func (m *cfMapper) memoryUsage(key string, v any) error {
	sec, ok := v.(map[string]any)
	if !ok {
		return m.errf("%s must be a table", key)
	}
	for _, k := range sortedKeys(sec) {
		if k != "memory-quota-percentage" {
			return m.errf("unknown key %q: TiCDC's [consistent.memory-usage] has only memory-quota-percentage", key+"."+k)
		}
		n, err := asInt(sec[k])
		if err != nil || n < 0 || n > 100 {
			return m.errf("%s.%s = %v: want a percentage from 0 to 100", key, k, sec[k])
		}
		if err := m.set(key+"."+k, "redo-quota-percent", strconv.FormatInt(n, 10)); err != nil {
			return err
		}
	}
	return nil
}

func (m *cfMapper) unmodelledConsistent(key, k string, v any) error {
	switch k {
	case "compression":
		if s, ok := v.(string); !ok || (s != "" && s != "none" && s != "lz4") {
			return m.errf("%s = %v: TiCDC allows only \"none\" or \"lz4\"", key, v)
		}
	case "event-collector-batch-count":
		if n, err := asInt(v); err != nil || n < 0 || n > 8192 {
			return m.errf("%s = %v: TiCDC allows 0 to 8192", key, v)
		}
	}
	m.notes = append(m.notes, fmt.Sprintf("%s: a TiCDC setting the model does not use; accepted and ignored", key))
	return nil
}

func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		if x == float64(int64(x)) {
			return int64(x), nil
		}
	}
	return 0, fmt.Errorf("not a whole number")
}

// asDuration reads a TOML duration: a Go duration string ("10m") or a
// number of nanoseconds (how TiCDC marshals time.Duration).
func asDuration(v any) (time.Duration, error) {
	switch x := v.(type) {
	case string:
		return time.ParseDuration(x)
	case int64:
		return time.Duration(x), nil
	}
	return 0, fmt.Errorf("want a duration such as \"10m\"")
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
