package script

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const sample = `# A comment before the first block.
echo a=1 b c="two words"
----
a=1 b c="two words"

# Empty output.
nothing
----

echo x=y
----
x=y

# A trailing comment.
`

// echo prints its command line back; nothing prints nothing.
var echo = Commands{
	"echo":    func(c *Cmd) (string, error) { return strings.TrimPrefix(c.String(), "echo "), nil },
	"nothing": func(*Cmd) (string, error) { return "", nil },
}

func TestParse(t *testing.T) {
	s, err := Parse("sample.txt", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Blocks) != 3 {
		t.Fatalf("%d blocks, want 3", len(s.Blocks))
	}
	b := s.Blocks[0]
	if b.Name != "echo" || b.Line != 2 || len(b.Args) != 3 || b.Args[2] != (Arg{"c", "two words"}) || b.Args[1] != (Arg{"b", ""}) {
		t.Fatalf("first block parsed as %+v", b)
	}
	if s.Blocks[1].Want != "" || s.Blocks[2].Want != "x=y" {
		t.Fatalf("outputs %q, %q", s.Blocks[1].Want, s.Blocks[2].Want)
	}
	if _, err := s.Exec(echo, false); err != nil {
		t.Fatal(err)
	}
}

// TestMalformed: every malformed script is refused with its file and line.
func TestMalformed(t *testing.T) {
	for _, c := range []struct{ name, text, want string }{
		{"missing separator", "# c\necho a=1\nfoo\n", `bad.txt:2: command "echo" is not followed by a ---- line`},
		{"separator at the end missing", "echo a=1\n----\n\necho b=2\n", `bad.txt:4: command "echo" is not followed by a ---- line`},
		{"separator without command", "echo\n----\n\n----\n", "bad.txt:4: ---- without a command"},
		{"unknown command", "echo\n----\n\n\nfrobnicate n=3\n----\n", `bad.txt:5: frobnicate: unknown command "frobnicate"`},
		{"unterminated quote", "echo a=\"b\n----\n", "bad.txt:1: unterminated quote"},
		{"bad escape", "echo a=\"\\q\"\n----\n", "bad.txt:1: argument a: bad quoted value"},
		{"no key", "echo =3\n----\n", `bad.txt:1: argument "=3" has no key`},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse("bad.txt", []byte(c.text))
			if err == nil {
				err = s.Check(echo)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
		})
	}
}

// TestMismatchFails: output that differs from the golden one is an error
// naming the block's line and showing both outputs.
func TestMismatchFails(t *testing.T) {
	s, err := Parse("m.txt", []byte("nothing\n----\n\necho a=1\n----\na=2\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Exec(echo, false)
	var m *Mismatch
	if !errors.As(err, &m) || m.Position != "m.txt:4" || m.Got != "a=1" || m.Block.Want != "a=2" {
		t.Fatalf("error %v, want a mismatch at m.txt:4", err)
	}
	if !strings.Contains(err.Error(), "--- want:\n  a=2\n--- got:\n  a=1") {
		t.Fatalf("mismatch message:\n%s", err)
	}
}

// TestRewriteKeepsTheRest: rewriting replaces outputs only; a script that
// already matches comes back byte for byte.
func TestRewriteKeepsTheRest(t *testing.T) {
	s, err := Parse("sample.txt", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.Exec(echo, true)
	if err != nil {
		t.Fatal(err)
	}
	want := sample
	if string(out) != want {
		t.Fatalf("rewrite gave\n%s\nwant\n%s", out, want)
	}
	stale := strings.Replace(want, "a=1 b c=\"two words\"\n\n", "stale\n\n", 1)
	s, _ = Parse("stale.txt", []byte(stale))
	if out, _ = s.Exec(echo, true); string(out) != want {
		t.Fatalf("rewrite of a stale script gave\n%s", out)
	}
}

// TestHandlerErrorNamesTheLine: a handler's error, and a blank output
// line, fail the script at the command's line.
func TestHandlerErrorNamesTheLine(t *testing.T) {
	cmds := Commands{
		"fail":  func(c *Cmd) (string, error) { return "", fmt.Errorf("bad argument") },
		"blank": func(c *Cmd) (string, error) { return "a\n\nb", nil },
	}
	for text, want := range map[string]string{
		"# x\nfail\n----\n": "f.txt:2: fail: bad argument",
		"blank\n----\na\n":  "f.txt:1: blank: output line 2 is blank",
	} {
		s, err := Parse("f.txt", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Exec(cmds, false); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want %q", err, want)
		}
	}
}

func TestArgs(t *testing.T) {
	s, err := Parse("a.txt", []byte("cmd n=3 u=7 s=x n=4 flag\n----\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := &s.Blocks[0].Cmd
	if n, err := c.Int("n", 0); n != 4 || err != nil {
		t.Errorf("Int(n) = %d, %v; want the last n, 4", n, err)
	}
	if u, err := c.Uint("u", 0); u != 7 || err != nil {
		t.Errorf("Uint(u) = %d, %v", u, err)
	}
	if d, _ := c.Int("missing", 9); d != 9 {
		t.Errorf("default %d", d)
	}
	if _, err := c.Int("s", 0); err == nil {
		t.Error("Int(s) of x: no error")
	}
	if !c.Has("flag") || c.Has("nope") || c.Str("s", "") != "x" {
		t.Error("Has/Str")
	}
	if err := c.Only("n", "u", "s"); err == nil || !strings.Contains(err.Error(), `"flag"`) {
		t.Errorf("Only: %v", err)
	}
}
