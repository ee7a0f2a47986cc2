// Package rules holds tests that keep the project's source honest about
// the layer map and the determinism rules of docs/ARCHITECTURE.md. It has
// no code of its own; its tests read the repository's Go files and ask go
// list for the import graph.
//
// floors_test.go holds the layer map as a table (floors: for each package
// pattern, the module packages it may depend on) and checks the transitive
// dependencies (go list's Deps, as go list -deps prints them) of every
// package of the module against it. It fails on an edge the table does not
// allow, on a package the table does not place, on a row that names no
// package, and on engine/core importing os, time, sync, syscall, net or a
// random source directly. TestFloorsCatchPlantedEdges plants upward edges
// through a go list -overlay and checks they are reported.
//
// determinism_test.go parses (go/parser, go/ast, with go/types for scopes,
// never regular expressions, so comments and strings do not count) every
// non-test .go file of world code, the directories sim/, engine/, model/
// and scenarios/ (missing ones are skipped), and fails on:
//
//	wall-clock        time.Now, Since, Until, Sleep, After, AfterFunc, Tick, NewTimer, NewTicker
//	global-rand       importing math/rand; math/rand/v2 top-level functions (IntN, Float64, N, Shuffle, ...);
//	                  only rand.New, NewPCG, NewChaCha8, NewZipf and the types are allowed
//	crypto-rand       importing crypto/rand
//	goroutine         a go statement
//	failpoint-direct  importing github.com/pingcap/failpoint outside sim/fault: world code asks
//	                  sim.World.Fire, so the world's injector alone decides (see sim/fault)
//	dot-import        a dot import of time or math/rand/v2, which would hide calls from the check
//
// World code is what runs inside a simulated world. Left out: test files
// (they may run worlds on goroutines, as the isolation test of sim/fault
// does), testdata and dot or underscore directories, the OS driver
// directory engine/osdriver, and any file that carries the directive
//
//	//simrun:realworld <reason>
//
// for code that runs only against the real clock and disk (benchmarks of
// real files, a wall-clock driver). The marker is a line comment starting
// exactly "//simrun:realworld" anywhere in the file; put it above the
// package clause with a reason.
//
// Usage:
//
//	go test ./internal/rules/
//
// A failure lists every finding as file:line:col: rule: what, e.g.
//
//	sim/disk/disk.go:42:9: wall-clock: time.Now reads the wall clock; use the loop's virtual time
package rules
