# doe — the two commands a new user needs: `make demo` and `make test`.
SWIFT ?= swift
DEBUG_BIN := $(CURDIR)/.build/debug/doe
RELEASE_BIN := $(CURDIR)/.build/release/doe

.PHONY: deps build release test demo bench-bo bench-noisy bench-mo bench-train bench-optimize bench-mf bench-al bench-tune bench-saved pipeline clean

deps:
	@bash scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product doe

## Build everything (debug) and run every test, CLI tests included (they run the built binary), with onnx/onnxruntime,
## nbconvert/pandas/matplotlib and MLflow (a real `mlflow server` on 127.0.0.1) from PyPI in venvs, and headless
## Chromium from Debian's packages for the HTML reports.
test: deps
	$(SWIFT) build --build-tests
	PY=$$(bash scripts/setup-test-venv.sh) && MLFLOW_BIN=$$(bash scripts/setup-mlflow-venv.sh) && CHROMIUM=$$(bash scripts/setup-browser.sh) && \
	  DOE_BIN=$(DEBUG_BIN) DOE_TEST_PYTHON=$$PY DOE_TEST_MLFLOW=$$MLFLOW_BIN DOE_TEST_CHROMIUM=$$CHROMIUM $(SWIFT) test --skip-build

## Build the release binary and run the bundled borehole study end to end.
demo: release
	bash scripts/demo.sh $(RELEASE_BIN)

## Batch BO benchmark: doe on 7 problems, and BoTorch/Optuna/scikit-optimize in the same sitting (installs them in .venv-peers).
bench-bo: release
	bash scripts/bench-bo.sh

## Noisy single-objective problems (hartmann6_noisy, levy8_noisy): doe's default and qLogNEI vs BoTorch and Optuna GP, one sitting.
bench-noisy: release
	bash scripts/bench-noisy.sh

## Multi-objective and constrained benchmark: doe on the 8 problems of ../shared/bench/mo, the peers' stored runs, a same-sitting re-run.
bench-mo: release
	bash scripts/bench-mo.sh

## Surrogate optimization: doe optimize on a borehole surrogate vs the true function's maximum (python3 + doe only).
bench-optimize: release
	OPENBLAS_NUM_THREADS=1 python3 Benchmarks/optimize/bench_optimize.py --doe .build/release/doe --out Benchmarks/results/optimize.json

## Multi-fidelity: doe's simulation prior vs SMT's MFK on Currin, Park, Borehole (installs SMT into .venv-peers).
bench-mf: release
	bash scripts/bench-mf.sh

## Experiments saved: BO with a network trained on low-fidelity runs as the prior, without it, with a biased one.
bench-saved: release
	bash scripts/bench-saved.sh

## Active learning: studies with goal: learn vs the Sobol sequence on borehole, OTL circuit, piston (python3 + doe only).
bench-al: release
	OPENBLAS_NUM_THREADS=1 python3 Benchmarks/al/bench_al.py --doe .build/release/doe --seeds 0,1,2,3,4 \
	  --train "--hidden 64,64 --epochs 300 --ensemble 3" \
	  --out Benchmarks/results/al-runs.jsonl --summary Benchmarks/results/al-summary.md

## Tuning: doe train --tune 20 on the plate dump vs the default settings, same split (python3 + doe only).
bench-tune: release
	OPENBLAS_NUM_THREADS=1 python3 Benchmarks/tune/bench_tune.py --doe .build/release/doe --dump studies/surrogates/plate.h5 \
	  --fields /fields/uy --trials 20 --out Benchmarks/results/tune.json --summary Benchmarks/results/tune-summary.md

## Training throughput: doe's MLP vs PyTorch on the CPU (installs torch in .venv-peers).
bench-train: deps
	bash scripts/bench-train.sh

## The model pipeline of docs/ci: train → evaluate → register → gate → promote → export ONNX.
pipeline: release
	bash scripts/model-pipeline.sh $(RELEASE_BIN) pipeline

clean:
	rm -rf .build studies/*-demo
