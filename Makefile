# FineTuneSim — build, demo, test, benchmark, calibrate.
SWIFT ?= swift
RELEASE_BIN = .build/release/ftsim

.PHONY: deps build release demo test bench calibrate validate format lint clean

# Installs GNU GSL (headers and pkg-config file) when it is missing.
deps:
	@pkg-config --exists gsl 2>/dev/null || { \
	  echo "installing libgsl-dev"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq libgsl-dev zlib1g-dev pkg-config; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product ftsim

# Mixtral QLoRA on the paper's A40 and on an H100, side by side.
demo: release
	@echo "== Mixtral-8x7B QLoRA, top-2, batch 8, seq 128 on the A40 (the paper's GPU)"
	@$(RELEASE_BIN) simulate --model mixtral-8x7b --gpu a40 --top-k 2 --batch 8 --seq 128
	@echo
	@echo "== The same step on an H100 SXM5"
	@$(RELEASE_BIN) simulate --model mixtral-8x7b --gpu h100-sxm5-80gb --top-k 2 --batch 8 --seq 128
	@echo
	@echo "== Comparison"
	@for g in a40 h100-sxm5-80gb; do \
	  $(RELEASE_BIN) simulate --model mixtral-8x7b --gpu $$g --top-k 2 --batch 8 --seq 128 --format json \
	    | awk -v g=$$g -F'[:,]' '/"step_time_s"/{s=$$2} /"throughput_qps"/{q=$$2} END{printf "%-16s step %8.3f s   throughput %7.3f queries/s\n", g, s, q}'; \
	done

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: deps
	$(SWIFT) build -c release --product ftsim-bench
	.build/release/ftsim-bench

# Every trace set that carries measurements; the fit, then leave-one-set-out cross-validation from it.
CALIBRATION_TRACES = Traces/a40-paper Traces/a100-40gb-paper Traces/qwen1-a100-80gb Traces/vidur-kernels

calibrate: release
	$(RELEASE_BIN) calibrate --traces $(CALIBRATION_TRACES) --max-iterations 80 --out Configs/calibration/default.yaml
	$(RELEASE_BIN) validate --cross-validate --traces $(CALIBRATION_TRACES) --max-iterations 80 \
	  --out Configs/calibration/cross-validation.csv

validate: release
	$(RELEASE_BIN) validate

format:
	$(SWIFT) format --in-place --recursive Sources Tests Benchmarks

lint:
	$(SWIFT) format lint --recursive Sources Tests Benchmarks

clean:
	rm -rf .build
