package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// update rewrites the golden files under testdata/ instead of comparing:
//
//	go test ./cmd/simrun -run Describe -update
//	go test ./cmd/simrun -run Changefeed -update
//
// Read the diff before committing.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// cliResult is what one simrun invocation produced.
type cliResult struct {
	code           int
	stdout, stderr string
}

// simrun runs the command line args through run, as main does, with
// stdout and stderr captured (so never on a terminal).
func simrun(t *testing.T, args ...string) cliResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustExit fails the test unless the run exited with code.
func (r cliResult) mustExit(t *testing.T, code int, args ...string) cliResult {
	t.Helper()
	if r.code != code {
		t.Fatalf("simrun %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s",
			strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	return r
}

// run1 runs simrun and insists on the exit code.
func run1(t *testing.T, code int, args ...string) cliResult {
	t.Helper()
	return simrun(t, args...).mustExit(t, code, args...)
}

// stderrHas fails unless stderr holds every one of want.
func (r cliResult) stderrHas(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
}

// outputHas fails unless stdout or stderr holds every one of want.
func (r cliResult) outputHas(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.stdout, w) && !strings.Contains(r.stderr, w) {
			t.Errorf("output lacks %q:\nstdout:\n%s\nstderr:\n%s", w, r.stdout, r.stderr)
		}
	}
}

// stdoutHas fails unless stdout holds every one of want.
func (r cliResult) stdoutHas(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, r.stdout)
		}
	}
}

// checkGolden compares got with the golden file path, or rewrites it
// under -update. regen is the command that rewrites it, for the message.
func checkGolden(t *testing.T, path, got, regen string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("golden file %s is missing: run `%s` and read the new file before committing", path, regen)
	}
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (if the change is intended, run `%s` and read the diff):\n%s",
			path, regen, lineDiff(string(want), got))
	}
}

// lineDiff shows the first lines where want and got part.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + strings.TrimRight(wl, " ") + "\n  got:  " + strings.TrimRight(gl, " ") + "\n")
			shown++
		}
	}
	return b.String()
}

// writeFile writes content to name in dir and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// traceHashLine matches a world's two lines on stdout: its summary and
// its trace hash (groups: scenario, variant, seed, status, hash).
var traceHashLine = regexp.MustCompile(`(?m)^world (\S+)/(\S+) seed=(\d+)  (held|VIOLATED)  .*\ntrace-hash: ([0-9a-f]{16})$`)

// hex16 is a trace hash.
var hex16 = regexp.MustCompile(`^[0-9a-f]{16}$`)

// snapshot reads every file under dir: relative path -> content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dropWall removes wall_seconds (the one field that depends on the
// machine) from every JSON object in text, one per line, and re-encodes
// them, so two runs of the same worlds compare equal.
func dropWall(t *testing.T, text string) string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if line == "" {
			continue
		}
		out = append(out, string(dropWallJSON(t, []byte(line))))
	}
	return strings.Join(out, "\n")
}

// dropWallJSON is dropWall for one JSON document.
func dropWallJSON(t *testing.T, data []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("not a JSON object: %v\n%s", err, data)
	}
	if _, ok := m["wall_seconds"]; !ok {
		t.Fatalf("no wall_seconds in %s", data)
	}
	delete(m, "wall_seconds")
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
