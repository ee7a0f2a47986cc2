package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// dirBytes is the total size of the files under dir.
func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err == nil {
			total += info.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

// TestOutputBounded: one default syncpoint world (600 s, 64 tables) writes
// at most 10 MB with -out, keeps no per-dispatcher series unless asked,
// embeds its figures in index.html, and prints progress while the report is
// written.
func TestOutputBounded(t *testing.T) {
	out := t.TempDir()
	r := run1(t, 0, "-scenario", "syncpoint", "-variants", "v2-4950", "-seed", "1", "-out", out)
	if n := dirBytes(t, out); n > 10<<20 {
		t.Errorf("one default world wrote %d bytes, budget 10 MiB", n)
	}
	if !strings.Contains(r.stdout, "report: figures") {
		t.Errorf("no progress line while the report was written:\n%s", r.stdout)
	}
	world, err := os.ReadFile(filepath.Join(out, "worlds", "v2-4950-s1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(world), `"key":"dispatcher"`) {
		t.Errorf("per-dispatcher series written without -dispatcher-series")
	}
	html, err := os.ReadFile(filepath.Join(out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(html), `src="plots/`) || !strings.Contains(string(html), `src="data:image/png;base64,`) {
		t.Errorf("index.html does not embed its figures")
	}
	full := t.TempDir()
	run1(t, 0, "-scenario", "syncpoint", "-variants", "v2-4950", "-seed", "1", "-duration", "30s", "-dispatcher-series", "-quiet", "-out", full)
	world, err = os.ReadFile(filepath.Join(full, "worlds", "v2-4950-s1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(world), `"key":"dispatcher"`) {
		t.Errorf("-dispatcher-series did not keep the per-dispatcher series")
	}
}
