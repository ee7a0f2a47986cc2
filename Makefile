# redosim: deterministic simulation and benchmarking of redo logging.
# `make sim` runs the main job (a syncpoint simulation that writes a report),
# `make test` the test suite CI runs. Longer runs sit behind their own targets.

GO        ?= go
SEED      ?= 1
SEEDS     ?= 200
OUT       ?= out/syncpoint
FUZZTIME  ?= 5s
SIMRUN    := bin/simrun

.PHONY: all build sim test unit fuzz-short lint bench bench-kernel bench-engine swarm fuzz report-check clean

all: build

build:
	$(GO) build -o $(SIMRUN) ./cmd/simrun

## sim: the main job, the syncpoint scenario across its variants, with a report in $(OUT).
sim: build
	$(SIMRUN) -scenario syncpoint -seed $(SEED) -out $(OUT)

## test: everything CI checks; stays under 10 minutes on 2 cores.
test: lint unit fuzz-short

unit:
	$(GO) test -count=1 -timeout 15m ./...

# A short run of every fuzz target (go test -fuzz takes one target at a time).
fuzz-short:
	$(GO) test -run='^$$' -fuzz='^FuzzWalker$$' -fuzztime=$(FUZZTIME) ./engine/codec
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeRecord$$' -fuzztime=$(FUZZTIME) ./engine/codec
	$(GO) test -run='^$$' -fuzz='^FuzzDecodeMeta$$' -fuzztime=$(FUZZTIME) ./engine/codec
	$(GO) test -run='^$$' -fuzz='^FuzzDecodePayload$$' -fuzztime=$(FUZZTIME) ./engine/ticdc
	$(GO) test -run='^$$' -fuzz='^FuzzWalkTiCDC$$' -fuzztime=$(FUZZTIME) ./engine/ticdc

## lint: formatting, vet, and the determinism rules.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "not gofmt-clean:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) test -count=1 ./internal/rules/

## fuzz: a longer fuzz campaign (FUZZTIME=1m by default here).
fuzz:
	$(MAKE) fuzz-short FUZZTIME=1m

## bench: the Go benchmarks of every package.
bench:
	$(GO) test -run='^$$' -bench=. -benchmem ./...

## bench-kernel: the kernel's event rate against SimPy 3 on the same two models.
bench-kernel:
	@/usr/bin/python3 -c 'import simpy' 2>/dev/null || (apt-get update -qq && apt-get install -y -qq python3-simpy3 >/dev/null)
	cd bench && $(GO) run ./kernel

## bench-engine: the redo engine on the real disk against pebble's LogWriter.
bench-engine:
	cd bench && $(GO) run ./engine

## report-check: render a sample report in headless Chromium; fails if an image does not load.
report-check:
	bash reports/browsercheck.sh

## swarm: a long random campaign (SEEDS worlds) on all cores.
swarm: build
	$(SIMRUN) -swarm -seeds $(SEEDS)

clean:
	rm -rf bin out
