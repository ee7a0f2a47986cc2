// Package script runs script tests: text files of commands, each followed
// by the output it must print, after the data-driven interaction tests of
// etcd-io/raft (cockroachdb/datadriven), with a parser of its own.
//
// # Format
//
// A script is a sequence of blocks separated by blank lines:
//
//	# A comment says what the next blocks show.
//	command arg=value flag key="a quoted value"
//	----
//	the output the command prints (golden)
//
// A block is a command line, a line that is exactly "----", and the
// expected output: every line up to the next blank line or the end of the
// file. Output therefore never holds a blank line (Run fails a command
// whose output does); empty output is the "----" line alone. Lines that
// start with "#" and blank lines between blocks are comments; a "#" line
// right after an output, with no blank line before it, is output.
//
// A command line is the command's name and its arguments, separated by
// spaces: key=value, a bare key (a flag, value ""), or key="..." with Go
// string escapes for a value that holds spaces. Keys may repeat.
//
// # Running
//
// A test names its commands (Commands) and runs the files:
//
//	func TestScripts(t *testing.T) {
//		script.RunGlob(t, "testdata/*.txt", func(t *testing.T) script.Commands {
//			h := newHarness() // fresh state for every file
//			return script.Commands{"append": h.append, "ready": h.ready}
//		})
//	}
//
// Every file is a subtest. A command the table does not name, or a block
// without its "----", fails the file before anything runs, with the file
// and line. A command's handler returns its output, or an error that
// fails the test at the command's line (a bad argument, a harness bug);
// what the system under test reports belongs in the output. The first
// block whose output differs from the golden one fails the test, showing
// both.
//
// # Rewriting
//
// With -rewrite the outputs are not compared but written back into the
// files, the rest of each file (comments, blank lines, commands) kept as
// it was:
//
//	go test ./engine/core -run TestScripts -rewrite
//
// A malformed file or a handler's error leaves the file as it was. Review
// the diff before committing it.
package script

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
)

// rewrite is the -rewrite flag: regenerate the golden output.
var rewrite = flag.Bool("rewrite", false, "script tests: write the actual output into the script files instead of comparing")

// Rewriting reports whether the test binary runs with -rewrite.
func Rewriting() bool { return *rewrite }

// Arg is one argument of a command line: Key=Val, or a bare Key with Val "".
type Arg struct {
	Key, Val string
}

// Cmd is one command line of a script.
type Cmd struct {
	// File and Line are where the command line is, for messages.
	File string
	Line int
	// Name is the command, the line's first word.
	Name string
	// Args are the arguments in the order written.
	Args []Arg
}

// Block is a command and the output the script expects of it.
type Block struct {
	Cmd
	// Want is the expected output, its lines joined with "\n", no final
	// newline.
	Want string
	// head is the file's text from the end of the previous block through
	// this block's "----" line, kept verbatim for rewriting.
	head string
}

// Script is a parsed script file.
type Script struct {
	// Name is the file name given to Parse, used in messages.
	Name string
	// Blocks are the file's blocks in order.
	Blocks []Block
	// tail is the text after the last block (comments, blank lines).
	tail string
}

// Commands maps command names to their handlers. A handler returns the
// command's output (trailing newlines are dropped) or an error that fails
// the test.
type Commands map[string]func(c *Cmd) (string, error)

// Separator is the line between a command and its output.
const Separator = "----"

// Parse reads a script. Errors name the file and the line.
func Parse(name string, data []byte) (*Script, error) {
	s := &Script{Name: name}
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var head strings.Builder
	for i := 0; i < len(lines); i++ {
		line := strings.TrimRight(lines[i], "\r\n")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			head.WriteString(lines[i])
			continue
		}
		if trimmed == Separator {
			return nil, fmt.Errorf("%s:%d: %s without a command before it", name, i+1, Separator)
		}
		cmd, err := parseCmd(name, i+1, trimmed)
		if err != nil {
			return nil, err
		}
		head.WriteString(lines[i])
		i++
		if i >= len(lines) || strings.TrimRight(lines[i], "\r\n") != Separator {
			return nil, fmt.Errorf("%s:%d: command %q is not followed by a %s line", name, cmd.Line, cmd.Name, Separator)
		}
		head.WriteString(lines[i])
		var want []string
		for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
			i++
			want = append(want, strings.TrimRight(lines[i], "\r\n"))
		}
		s.Blocks = append(s.Blocks, Block{Cmd: cmd, Want: strings.Join(want, "\n"), head: head.String()})
		head.Reset()
	}
	s.tail = head.String()
	return s, nil
}

// parseCmd splits a command line into its name and arguments.
func parseCmd(file string, line int, text string) (Cmd, error) {
	c := Cmd{File: file, Line: line}
	rest := text
	for rest != "" {
		var word string
		var err error
		word, rest, err = nextWord(rest)
		if err != nil {
			return c, fmt.Errorf("%s:%d: %v", file, line, err)
		}
		if c.Name == "" {
			if strings.ContainsAny(word, "=\"") {
				return c, fmt.Errorf("%s:%d: a command line starts with the command's name, not %q", file, line, word)
			}
			c.Name = word
			continue
		}
		key, val, _ := strings.Cut(word, "=")
		if key == "" {
			return c, fmt.Errorf("%s:%d: argument %q has no key", file, line, word)
		}
		if strings.HasPrefix(val, `"`) {
			if val, err = strconv.Unquote(val); err != nil {
				return c, fmt.Errorf("%s:%d: argument %s: bad quoted value: %v", file, line, key, err)
			}
		}
		c.Args = append(c.Args, Arg{Key: key, Val: val})
	}
	return c, nil
}

// nextWord returns the first space-separated word of s (a double-quoted
// part may hold spaces) and what follows it.
func nextWord(s string) (word, rest string, err error) {
	s = strings.TrimLeft(s, " \t")
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case inQuote && ch == '\\':
			i++
		case ch == '"':
			inQuote = !inQuote
		case !inQuote && (ch == ' ' || ch == '\t'):
			return s[:i], strings.TrimLeft(s[i:], " \t"), nil
		}
	}
	if inQuote {
		return "", "", fmt.Errorf("unterminated quote in %q", s)
	}
	return s, "", nil
}

// Check reports the first block whose command the table does not name, as
// an error naming the file and line.
func (s *Script) Check(cmds Commands) error {
	for i := range s.Blocks {
		if _, ok := cmds[s.Blocks[i].Name]; !ok {
			return s.Blocks[i].Errorf("unknown command %q", s.Blocks[i].Name)
		}
	}
	return nil
}

// Mismatch is a block whose output differs from the golden one.
type Mismatch struct {
	Block    *Block
	Got      string
	Position string // "file:line"
}

// Error shows the command, the expected and the actual output.
func (m *Mismatch) Error() string {
	return fmt.Sprintf("%s: %s: output differs\n--- want:\n%s\n--- got:\n%s\n--- (go test -rewrite regenerates the golden output)",
		m.Position, m.Block.String(), indent(m.Block.Want), indent(m.Got))
}

func indent(s string) string {
	if s == "" {
		return "  (empty)"
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// Exec runs the blocks in order. Unless rewriting, it stops at the first
// output that differs from the golden one and returns a *Mismatch; a
// handler's error stops it too, naming the command's line. When rewriting
// it returns the file's new text (the outputs replaced, all else kept).
func (s *Script) Exec(cmds Commands, rewriting bool) ([]byte, error) {
	if err := s.Check(cmds); err != nil {
		return nil, err
	}
	var out strings.Builder
	for i := range s.Blocks {
		b := &s.Blocks[i]
		got, err := cmds[b.Name](&b.Cmd)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %s: %w", b.File, b.Line, b.Name, err)
		}
		got = strings.TrimRight(got, "\n")
		for n, l := range strings.Split(got, "\n") {
			if got != "" && strings.TrimSpace(l) == "" {
				return nil, b.Errorf("output line %d is blank, which would end the block: print something on it", n+1)
			}
		}
		if rewriting {
			out.WriteString(b.head)
			if got != "" {
				out.WriteString(got)
				out.WriteString("\n")
			}
			continue
		}
		if got != b.Want {
			return nil, &Mismatch{Block: b, Got: got, Position: fmt.Sprintf("%s:%d", b.File, b.Line)}
		}
	}
	if !rewriting {
		return nil, nil
	}
	out.WriteString(s.tail)
	return []byte(out.String()), nil
}

// String returns the command line, normalized: the name and
// the arguments, quoted where needed.
func (c *Cmd) String() string {
	var b strings.Builder
	b.WriteString(c.Name)
	for _, a := range c.Args {
		b.WriteString(" ")
		b.WriteString(a.Key)
		switch {
		case strings.ContainsAny(a.Val, " \t\"\\"):
			b.WriteString("=" + strconv.Quote(a.Val))
		case a.Val != "":
			b.WriteString("=" + a.Val)
		}
	}
	return b.String()
}

// Errorf returns an error naming the command's file and line.
func (c *Cmd) Errorf(format string, args ...any) error {
	return fmt.Errorf("%s:%d: %s: %s", c.File, c.Line, c.Name, fmt.Sprintf(format, args...))
}

// Has reports whether the command has argument key.
func (c *Cmd) Has(key string) bool {
	_, ok := c.Get(key)
	return ok
}

// Get returns the value of the last argument key, and whether there is one.
func (c *Cmd) Get(key string) (string, bool) {
	for i := len(c.Args) - 1; i >= 0; i-- {
		if c.Args[i].Key == key {
			return c.Args[i].Val, true
		}
	}
	return "", false
}

// Str returns the value of argument key, or def when it is absent.
func (c *Cmd) Str(key, def string) string {
	if v, ok := c.Get(key); ok {
		return v
	}
	return def
}

// Int returns argument key as a decimal integer, or def when it is absent.
func (c *Cmd) Int(key string, def int64) (int64, error) {
	v, ok := c.Get(key)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("argument %s=%q is not an integer", key, v)
	}
	return n, nil
}

// Uint returns argument key as an unsigned decimal integer, or def when it
// is absent.
func (c *Cmd) Uint(key string, def uint64) (uint64, error) {
	v, ok := c.Get(key)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("argument %s=%q is not an unsigned integer", key, v)
	}
	return n, nil
}

// Only returns an error naming the first argument whose key is not among
// keys: it catches a misspelt argument that would otherwise be ignored.
func (c *Cmd) Only(keys ...string) error {
	for _, a := range c.Args {
		known := false
		for _, k := range keys {
			known = known || a.Key == k
		}
		if !known {
			return fmt.Errorf("unknown argument %q (know: %s)", a.Key, strings.Join(keys, ", "))
		}
	}
	return nil
}
