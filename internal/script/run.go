package script

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// RunFile parses and runs the script at path against cmds, failing t on a
// malformed file, a handler's error or differing output. With -rewrite it
// writes the actual output back into the file instead of comparing.
func RunFile(t testing.TB, path string, cmds Commands) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(path, data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Exec(cmds, Rewriting())
	if err != nil {
		var m *Mismatch
		if errors.As(err, &m) {
			t.Fatal(m.Error())
		}
		t.Fatal(err)
	}
	if out == nil || string(out) == string(data) {
		return
	}
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("rewrote %s", path)
}

// RunGlob runs every script the pattern matches, sorted, each as a
// subtest named after its file with fresh commands from newCmds. It fails
// when the pattern matches nothing.
func RunGlob(t *testing.T, pattern string, newCmds func(t *testing.T) Commands) {
	t.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no script matches %s", pattern)
	}
	for _, p := range paths { // Glob sorts
		t.Run(filepath.Base(p), func(t *testing.T) {
			RunFile(t, p, newCmds(t))
		})
	}
}
