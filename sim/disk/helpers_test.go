package disk

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/redosim/redosim/sim"
)

// pattern returns n bytes that depend on seed and position, so misplaced
// or stale bytes show up as a mismatch.
func pattern(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed*31 + byte(i*7+i>>8)
	}
	return b
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func testRand(seed uint64) *sim.Rand { return rand.New(rand.NewPCG(seed, 7)) }

// newTestFS returns an FS whose directory /d exists durably.
func newTestFS(t testing.TB, cfg FSConfig) *FS {
	t.Helper()
	fs := NewFS(cfg)
	must(t, fs.MkdirAll("/d"))
	must(t, fs.SyncDir("/"))
	return fs
}

// durableFile creates p, writes b, syncs the file and its directory.
func durableFile(t testing.TB, fs *FS, p string, b []byte) {
	t.Helper()
	must(t, fs.Create(p))
	if len(b) > 0 {
		must(t, fs.WriteAt(p, 0, b))
	}
	must(t, fs.Sync(p))
	must(t, fs.SyncDir(parentDir(p)))
}

func parentDir(p string) string {
	c, _ := cleanPath(p)
	i := bytes.LastIndexByte([]byte(c), '/')
	if i <= 0 {
		return "/"
	}
	return c[:i]
}

// cleanCrash returns the crash image that keeps nothing unsynced.
func cleanCrash(t testing.TB, fs *FS) *FS {
	t.Helper()
	c, err := fs.CrashWith(CrashChoice{})
	must(t, err)
	return c
}

func readAll(t testing.TB, fs *FS, p string) []byte {
	t.Helper()
	b, err := fs.ReadFile(p)
	must(t, err)
	return b
}
