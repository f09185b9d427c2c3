# doe — the two commands a new user needs: `make demo` and `make test`.
SWIFT ?= swift
DEBUG_BIN := $(CURDIR)/.build/debug/doe
RELEASE_BIN := $(CURDIR)/.build/release/doe

.PHONY: deps build release test demo clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product doe

## Build everything (debug) and run every test, CLI tests included (they run the built binary).
test: deps
	$(SWIFT) build --build-tests
	DOE_BIN=$(DEBUG_BIN) $(SWIFT) test --skip-build

## Build the release binary and run the bundled borehole study end to end.
demo: release
	bash scripts/demo.sh $(RELEASE_BIN)

clean:
	rm -rf .build studies/*-demo
