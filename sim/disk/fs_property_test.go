package disk

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"
	"github.com/leanovate/gopter/gen"
)

// The crash property: after any sequence of creates, writes, appends,
// truncations, syncs, directory syncs, renames, removes, writeback errors
// and crashes, (1) every op returns what the reference model predicts,
// (2) the page cache shows what the model's page cache holds, and (3)
// every crash image — a random one drawn after each step, every image
// CrashStates enumerates (up to a bound), and the one an explicit crash
// step adopts — is one the model allows. Reference: pebble
// vfs/testdata/memfs_crashable; TigerBeetle testing/storage.zig fault model.

var testPaths = [...]string{"/a", "/b", "/c", "/d/a", "/d/b", "/d/c"}

const (
	cmdCreate = iota
	cmdWrite
	cmdAppend
	cmdTruncate
	cmdSync
	cmdSyncData
	cmdSyncDir
	cmdRename
	cmdRemove
	cmdWritebackError
	cmdCrash
)

var cmdNames = [...]string{"Create", "Write", "Append", "Truncate", "Sync", "SyncData",
	"SyncDir", "Rename", "Remove", "WritebackError", "Crash"}

// fsCmd is one generated step. Its fields are generated with their own
// shrinkers (gen.Struct), so a failing sequence shrinks in length and in
// offsets and lengths.
type fsCmd struct {
	Kind int
	A, B int // indexes into testPaths
	Off  int
	Len  int
	Seed uint64
}

// norm folds shrunk field values back into range: gen.Struct drops the
// range sieves of its field generators, so shrinking may step outside.
func (c fsCmd) norm() fsCmd {
	fold := func(v, n int) int { return ((v % n) + n) % n }
	c.A, c.B = fold(c.A, len(testPaths)), fold(c.B, len(testPaths))
	c.Off, c.Len = fold(c.Off, 401), fold(c.Len, 201)
	return c
}

func (c fsCmd) String() string {
	c = c.norm()
	a, b := testPaths[c.A], testPaths[c.B]
	switch c.Kind {
	case cmdWrite:
		return fmt.Sprintf("Write(%s,%d,%d)", a, c.Off, c.Len)
	case cmdAppend:
		return fmt.Sprintf("Append(%s,%d)", a, c.Len)
	case cmdTruncate:
		return fmt.Sprintf("Truncate(%s,%d)", a, c.Off)
	case cmdSyncDir:
		return fmt.Sprintf("SyncDir(%s)", []string{"/", "/d"}[c.A%2])
	case cmdRename:
		return fmt.Sprintf("Rename(%s,%s)", a, b)
	case cmdCrash:
		return fmt.Sprintf("Crash(%d)", c.Seed)
	}
	return fmt.Sprintf("%s(%s)", cmdNames[c.Kind], a)
}

// crashSUT is the FS under test and the model run in lockstep.
type crashSUT struct {
	fs    *FS
	model *refModel
	step  int
}

func (c fsCmd) Run(s commands.SystemUnderTest) commands.Result {
	sut := s.(*crashSUT)
	sut.step++
	c = c.norm()
	if c.Kind == cmdCrash {
		crashed := sut.fs.Crash(testRand(c.Seed))
		next, err := sut.model.checkCrash(crashed)
		if err != nil {
			return "crash: " + err.Error()
		}
		sut.fs, sut.model = crashed, next
		return ""
	}
	got, want := c.apply(sut.fs), c.applyModel(sut.model)
	if !sameClass(got, want) {
		return fmt.Sprintf("%v returned %v, model says %v", c, got, want)
	}
	return sut.check(c.Seed)
}

func (c fsCmd) apply(fs *FS) error {
	a, b := testPaths[c.A], testPaths[c.B]
	data := pattern(byte(c.Seed), c.Len)
	switch c.Kind {
	case cmdCreate:
		return fs.Create(a)
	case cmdWrite:
		return fs.WriteAt(a, int64(c.Off), data)
	case cmdAppend:
		_, err := fs.Append(a, data)
		return err
	case cmdTruncate:
		return fs.Truncate(a, int64(c.Off))
	case cmdSync:
		return fs.Sync(a)
	case cmdSyncData:
		return fs.SyncData(a)
	case cmdSyncDir:
		return fs.SyncDir([]string{"/", "/d"}[c.A%2])
	case cmdRename:
		return fs.Rename(a, b)
	case cmdRemove:
		return fs.Remove(a)
	default: // cmdWritebackError
		return fs.InjectWritebackError(a)
	}
}

func (c fsCmd) applyModel(m *refModel) error {
	a, b := testPaths[c.A], testPaths[c.B]
	f := m.at(a, false)
	switch c.Kind {
	case cmdCreate:
		m.create(a)
		return nil
	case cmdSync, cmdSyncData:
		return m.sync(a)
	case cmdSyncDir:
		m.syncDir([]string{"/", "/d"}[c.A%2])
		return nil
	case cmdRename:
		return m.rename(a, b)
	}
	if f == nil {
		return ErrNotExist
	}
	switch c.Kind {
	case cmdWrite:
		f.write(c.Off, pattern(byte(c.Seed), c.Len))
	case cmdAppend:
		f.write(len(f.vol), pattern(byte(c.Seed), c.Len))
	case cmdTruncate:
		f.truncate(c.Off)
	case cmdRemove:
		f.vp = ""
	case cmdWritebackError:
		f.wbErr = true
	}
	return nil
}

func sameClass(got, want error) bool {
	if want == nil || got == nil {
		return (got == nil) == (want == nil)
	}
	return errors.Is(got, want)
}

// check compares the page cache with the model, then checks a random crash
// image and the enumerated ones without adopting them.
func (sut *crashSUT) check(seed uint64) commands.Result {
	if got, want := listFiles(sut.fs), sut.model.paths(false); fmt.Sprint(got) != fmt.Sprint(want) {
		return fmt.Sprintf("namespace %v, model says %v", got, want)
	}
	for _, p := range sut.model.paths(false) {
		if b, _ := sut.fs.ReadFile(p); !bytes.Equal(b, sut.model.at(p, false).vol) {
			return fmt.Sprintf("page cache of %s differs from the model", p)
		}
	}
	if _, err := sut.model.checkCrash(sut.fs.Clone().Crash(testRand(seed + uint64(sut.step)))); err != nil {
		return "random crash: " + err.Error()
	}
	states, _ := sut.fs.CrashStates(24)
	for i, st := range states {
		if _, err := sut.model.checkCrash(st); err != nil {
			return fmt.Sprintf("enumerated crash %d: %v", i, err)
		}
	}
	return ""
}

func (fsCmd) NextState(s commands.State) commands.State { return s }
func (fsCmd) PreCondition(commands.State) bool          { return true }
func (fsCmd) PostCondition(_ commands.State, r commands.Result) *gopter.PropResult {
	if msg, _ := r.(string); msg != "" {
		return gopter.NewPropResult(false, msg)
	}
	return gopter.NewPropResult(true, "")
}

func genCmd(kind, weight int) gen.WeightedGen {
	return gen.WeightedGen{Weight: weight, Gen: gen.Struct(reflect.TypeOf(fsCmd{}), map[string]gopter.Gen{
		"Kind": gen.Const(kind),
		"A":    gen.IntRange(0, len(testPaths)-1),
		"B":    gen.IntRange(0, len(testPaths)-1),
		"Off":  gen.IntRange(0, 400),
		"Len":  gen.IntRange(0, 200),
		"Seed": gen.UInt64Range(0, 1<<20),
	})}
}

func crashCommands(bugs plantedBugs) *commands.ProtoCommands {
	cmd := gen.Weighted([]gen.WeightedGen{
		genCmd(cmdCreate, 4), genCmd(cmdWrite, 5), genCmd(cmdAppend, 5), genCmd(cmdTruncate, 1),
		genCmd(cmdSync, 4), genCmd(cmdSyncData, 2), genCmd(cmdSyncDir, 3), genCmd(cmdRename, 2),
		genCmd(cmdRemove, 1), genCmd(cmdWritebackError, 3), genCmd(cmdCrash, 2),
	})
	return &commands.ProtoCommands{
		NewSystemUnderTestFunc: func(commands.State) commands.SystemUnderTest {
			fs := NewFS(FSConfig{SectorBytes: modelSectorBytes,
				Crash: CrashConfig{KeepProbability: 0.7, GarbageProbability: 0.4}})
			fs.bugs = bugs
			if err := fs.MkdirAll("/d"); err != nil {
				panic(err)
			}
			if err := fs.SyncDir("/"); err != nil {
				panic(err)
			}
			return &crashSUT{fs: fs, model: &refModel{}}
		},
		InitialStateGen: gen.Const(0),
		GenCommandFunc:  func(commands.State) gopter.Gen { return cmd },
	}
}

func runCrashProperty(bugs plantedBugs, seed int64, tests int) (bool, string) {
	params := gopter.DefaultTestParametersWithSeed(seed)
	params.MinSuccessfulTests = tests
	params.MaxSize = 40
	params.MaxShrinkCount = 200
	params.Workers = 1
	props := gopter.NewProperties(params)
	props.Property("crash images are allowed", commands.Prop(crashCommands(bugs)))
	var out strings.Builder
	ok := props.Run(gopter.NewFormatedReporter(true, 120, &out))
	return ok, out.String()
}

// TestCrashProperty runs the property on the real semantics.
func TestCrashProperty(t *testing.T) {
	tests := 2000
	if testing.Short() {
		tests = 100
	}
	if ok, report := runCrashProperty(plantedBugs{}, 20260801, tests); !ok {
		t.Fatal(report)
	}
}

// TestCrashPropertyCatchesPlantedBugs shows the property fails when the
// file system keeps unsynced directory entries across a crash, or when the
// fsync after a writeback error reports success.
func TestCrashPropertyCatchesPlantedBugs(t *testing.T) {
	for _, tc := range []struct {
		name string
		bugs plantedBugs
	}{
		{"crashKeepsUnsyncedEntries", plantedBugs{crashKeepsUnsyncedEntries: true}},
		{"writebackErrorSilent", plantedBugs{writebackErrorSilent: true}},
	} {
		name, bugs := tc.name, tc.bugs
		ok, report := runCrashProperty(bugs, 20260801, 300)
		if ok {
			t.Errorf("%s: the property passed; it should have caught the planted bug", name)
			continue
		}
		t.Logf("%s caught:\n%s", name, report)
	}
}
