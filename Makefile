# Custodia — build, test and CI entry points. `make help` lists the targets.

GO           ?= go
BIN          ?= bin
# Packages for bench and fuzz (go test patterns).
PKGS         ?= ./...
TEST_TIMEOUT ?= 20m
# Extra flags for go test in `make test`, e.g. TESTFLAGS=-v or TESTFLAGS=-race.
TESTFLAGS    ?=
BENCH        ?= .
BENCHTIME    ?=
FUZZ         ?= .
FUZZTIME     ?= 30s
# Arguments passed to the GUI by `make run`.
ARGS         ?=

EXE := $(if $(filter Windows_NT,$(OS)),.exe)

# The core: no Fyne, no cgo (see docs/ARCHITECTURE.md).
CORE_PKGS := ./casefile/... ./evidence/... ./reports/... ./cmd/custodiactl/...

.DEFAULT_GOAL := help
.PHONY: help setup build run test vet nocgo layering bench fuzz clean

help: ## list the targets and variables
	@echo 'Usage: make TARGET [VAR=value ...]'
	@echo
	@echo 'Targets:'
	@awk 'BEGIN { FS = ":[^#]*## " } /^[a-z][a-z-]*:.*## / { printf "  %-10s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo 'Variables: GO=$(GO) TEST_TIMEOUT=$(TEST_TIMEOUT) TESTFLAGS=$(TESTFLAGS) PKGS=$(PKGS)'
	@echo '           BENCH=$(BENCH) BENCHTIME=$(BENCHTIME) FUZZ=$(FUZZ) FUZZTIME=$(FUZZTIME) ARGS=$(ARGS)'

setup: ## install missing build/test prerequisites (Debian/Ubuntu: apt); check Go >= 1.26
	@GO='$(GO)' bash scripts/setup.sh

build: setup ## build bin/custodia (GUI, cgo) and bin/custodiactl (CLI, CGO_ENABLED=0)
	$(GO) build -o $(BIN)/custodia$(EXE) ./cmd/custodia
	CGO_ENABLED=0 $(GO) build -o $(BIN)/custodiactl$(EXE) ./cmd/custodiactl

run: build ## build, then start the GUI (ARGS=... are passed to it)
	./$(BIN)/custodia$(EXE) $(ARGS)

test: setup vet nocgo layering ## vet, cgo-free core build, layering check, then all tests incl. the GUI smoke test
	$(GO) test -count=1 -timeout $(TEST_TIMEOUT) $(TESTFLAGS) ./...

vet: setup ## go vet ./...
	$(GO) vet ./...

nocgo: setup ## check that the core packages and custodiactl build with CGO_ENABLED=0
	CGO_ENABLED=0 $(GO) build $(CORE_PKGS)

layering: setup ## check that the core imports no Fyne and only cmd/ imports fyne.io/fyne/v2/app
	@GO='$(GO)' CORE_PKGS='$(CORE_PKGS)' bash scripts/check-layering.sh

bench: setup ## run benchmarks (BENCH=regexp, BENCHTIME=2s or 100x, PKGS=./...)
	$(GO) test -run '^$$' -bench '$(BENCH)' $(if $(BENCHTIME),-benchtime '$(BENCHTIME)') -benchmem $(PKGS)

fuzz: setup ## run every fuzz target for FUZZTIME each (default 30s; FUZZ=regexp, PKGS=...)
	@GO='$(GO)' PKGS='$(PKGS)' FUZZ='$(FUZZ)' FUZZTIME='$(FUZZTIME)' bash scripts/fuzz.sh

clean: ## remove build output (bin/)
	rm -rf $(BIN)
