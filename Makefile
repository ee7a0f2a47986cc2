# redosim: deterministic simulation and benchmarking of redo logging.
# `make sim` runs the main job (a syncpoint simulation that writes a report),
# `make test` the test suite CI runs. Longer runs sit behind their own targets.

GO        ?= go
# make sim: seeds per variant (four is the fewest a Mann-Whitney test at
# α = 0.05 can call), and a soft memory limit for its two worlds at a time.
SIM_SEEDS ?= 4
SIM_MEMLIMIT ?= 10GiB
SEEDS     ?= 200
OUT       ?= out/syncpoint
# fuzz-short: a count of executions per target, not a duration. A duration
# races the Go fuzz coordinator's own deadline (go.dev/issue/75804, fixed in
# Go 1.27): on a loaded machine a worker still running at the deadline fails
# the target with a bare "context deadline exceeded" and no failing input.
FUZZTIME  ?= 100000x
# Worlds at TiCDC's constants hold their redo log above the checkpoint in
# memory (gigabytes under pressure); a soft limit per test process keeps the
# garbage collector from doubling that. It changes no result.
TEST_MEMLIMIT ?= 4GiB
SIMRUN    := bin/simrun

# Assertions (internal/invariants) are on in every build and test make
# runs, and so in CI (.ci/run calls make); a plain `go build` or
# `go test ./...` compiles them out.
export GOFLAGS := -tags=invariants $(GOFLAGS)

# Lint tools, pinned and installed from the Go module proxy into bin/tools
# (one directory per version, so a bump reinstalls).
STATICCHECK_VERSION ?= v0.8.2
DEADCODE_VERSION    ?= v0.52.0
STATICCHECK := bin/tools/staticcheck-$(STATICCHECK_VERSION)/staticcheck
DEADCODE    := bin/tools/deadcode-$(DEADCODE_VERSION)/deadcode

.PHONY: all build sim test unit fuzz-short lint bench bench-kernel bench-engine bench-world swarm mutants mutants-quick fuzz report-check clean

all: build

build:
	$(GO) build -o $(SIMRUN) ./cmd/simrun

## sim: the main job, the syncpoint scenario across its variants and
## $(SIM_SEEDS) seeds at TiCDC's constants, with a report in $(OUT).
sim: build
	GOMEMLIMIT=$(SIM_MEMLIMIT) $(SIMRUN) -scenario syncpoint -seeds $(SIM_SEEDS) -out $(OUT)

## test: everything CI checks; stays under 10 minutes on 2 cores.
test: lint unit fuzz-short report-check

unit:
	GOMEMLIMIT=$(TEST_MEMLIMIT) $(GO) test -count=1 -timeout 15m ./...

# A short run of every fuzz target (go test -fuzz takes one target at a time).
fuzz-short:
	$(GO) test -run='^$$' -fuzz='^FuzzWalker$$' -fuzztime=$(FUZZTIME) ./engine/codec
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeRecord$$' -fuzztime=$(FUZZTIME) ./engine/codec
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeMeta$$' -fuzztime=$(FUZZTIME) ./engine/codec
	$(GO) test -run='^$$' -fuzz='^FuzzDecodePayload$$' -fuzztime=$(FUZZTIME) ./engine/ticdc
	$(GO) test -run='^$$' -fuzz='^FuzzWalkTiCDC$$' -fuzztime=$(FUZZTIME) ./engine/ticdc

## lint: formatting, a tidy go.mod, vet, staticcheck, no dead code, and the
## layer and determinism rules (internal/rules).
lint: $(STATICCHECK) $(DEADCODE)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) vet ./...
	$(STATICCHECK) ./...
	@out=$$($(DEADCODE) -test ./...) || exit 1; \
	  if [ -n "$$out" ]; then echo "dead code (deadcode -test):"; echo "$$out"; exit 1; fi
	$(GO) test -count=1 ./internal/rules/

$(STATICCHECK):
	GOBIN=$(abspath $(dir $@)) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(DEADCODE):
	GOBIN=$(abspath $(dir $@)) $(GO) install golang.org/x/tools/cmd/deadcode@$(DEADCODE_VERSION)

## fuzz: a longer fuzz campaign (ten million executions per target).
fuzz:
	$(MAKE) fuzz-short FUZZTIME=10000000x

## bench: the Go benchmarks of every package.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## bench-kernel: the kernel's event rate against SimPy 3 on the same two models.
bench-kernel:
	@/usr/bin/python3 -c 'import simpy' 2>/dev/null || (apt-get update -qq && apt-get install -y -qq python3-simpy3 >/dev/null)
	cd bench && $(GO) run ./kernel

## bench-world: the world ladder (64 to 100 000 tables), each rung on one core;
## WORLD_ARGS='-rungs prod -time-scale 0.1' for a shorter look.
bench-world: build
	$(SIMRUN) bench-world $(WORLD_ARGS)

## bench-engine: the redo engine on the real disk against pebble's LogWriter.
bench-engine:
	cd bench && $(GO) run ./engine

## report-check: render a sample report in headless Chromium (installed with apt-get when missing);
## fails on a broken image, console output or an empty verdict, and when no browser can be had.
report-check:
	bash reports/browsercheck.sh

## swarm: a long random campaign (SEEDS worlds) on all cores.
swarm: build
	$(SIMRUN) -swarm -seeds $(SEEDS)

## mutants: the mutation harness: each slip of model/cluster Mutants() alone in
## every changefeed scenario's default world (90 s) and swarm seeds 1..20,
## judged by the checkers only; prints who caught what and the score.
## MUTANTS_ARGS='-slips a,b -worlds 5 -no-scenarios' narrows it. Not in make test.
mutants: build
	$(SIMRUN) mutants $(MUTANTS_ARGS)

## mutants-quick: the quick subset (four slips in swarm seeds 1..3, seconds);
## make test runs it too, as TestMutantsQuick in the unit tests.
mutants-quick:
	$(GO) test -count=1 -run '^TestMutantsQuick$$' ./scenarios/swarm/

clean:
	rm -rf bin out
