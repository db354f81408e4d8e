# bench.mk - perf-bench targets (vm-bench, Google Benchmark). Timed runs live here, never in
# `make test` (CI only runs the untimed smoke through CTest).
#
#   make bench           the full suite, repeated and interleaved; JSON in build/bench-results
#   make bench-quick     a small subset, in well under a minute
#   make bench-report    build, full run, then docs/performance.md and docs/plots/*.png
#   make bench-compare   run the ratio subset and check it against bench/baseline.json
#   make bench-baseline  run the ratio subset and rewrite bench/baseline.json (quiet machine!)
#
# BENCH_JSON=file.json makes bench-report / bench-compare / bench-baseline use an existing
# result instead of running the suite. BENCH_CPU picks the CPU to pin to (default: the
# highest allowed one).

BENCH_BIN      = $(BUILD)/vm-bench
BENCH_DIR      = $(BUILD)/bench-results
BENCH_REPS     ?= 7
BENCH_MIN_TIME ?= 0.1
BENCH_WARMUP   ?= 0.01
BENCH_CPU      ?= auto
BENCH_FLAGS    = --pin=$(BENCH_CPU) --benchmark_repetitions=$(BENCH_REPS) \
                 --benchmark_enable_random_interleaving=true \
                 --benchmark_min_time=$(BENCH_MIN_TIME) \
                 --benchmark_min_warmup_time=$(BENCH_WARMUP) \
                 --benchmark_display_aggregates_only=true
BENCH_QUICK_FILTER ?= ^(volatile_vs_normal|batch_vs_loop|memory_operations)/|^(memcpy|memset|memmove)_sizes/(glibc|vm_auto)/(256|4096|65536|1048576)$$|^ceiling/
BENCH_RATIO_FILTER ?= ^(volatile_vs_normal|batch_vs_loop|memory_operations|ceiling)/|^(memcpy|memset|memmove)_sizes/(glibc|vm_auto)/
BENCH_TOOLS    = gnuplot:gnuplot-nox hyperfine:hyperfine

.PHONY: bench bench-quick bench-report bench-compare bench-baseline bench-tools

bench: build
	@mkdir -p $(BENCH_DIR)
	$(BENCH_BIN) $(BENCH_FLAGS) --benchmark_out=$(BENCH_DIR)/results.json \
	    --benchmark_out_format=json

bench-quick: build
	$(BENCH_BIN) --pin=$(BENCH_CPU) --benchmark_filter='$(BENCH_QUICK_FILTER)' \
	    --benchmark_repetitions=3 --benchmark_enable_random_interleaving=true \
	    --benchmark_min_time=0.02 --benchmark_display_aggregates_only=true

# The report's tools (gnuplot for the plots, hyperfine for whole-program runs) are installed
# here when missing, not by `make test`, which does not need them.
bench-tools:
	@for t in $(BENCH_TOOLS); do \
	    cmd=$${t%%:*}; pkg=$${t#*:}; \
	    command -v $$cmd >/dev/null && continue; \
	    echo "bench-tools: installing $$pkg"; \
	    sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
	    $$sudo apt-get install -y -q --no-install-recommends $$pkg || exit 1; \
	done

ifdef BENCH_JSON
bench-report: bench-tools
	python3 bench/report.py $(BENCH_JSON) --out docs/performance.md --plots docs/plots
bench-compare:
	bench/compare $(BENCH_JSON)
bench-baseline:
	bench/compare $(BENCH_JSON) --update
else
bench-report: bench-tools bench
	python3 bench/report.py $(BENCH_DIR)/results.json --out docs/performance.md --plots docs/plots

$(BENCH_DIR)/ratios.json: build
	@mkdir -p $(BENCH_DIR)
	$(BENCH_BIN) $(BENCH_FLAGS) --benchmark_filter='$(BENCH_RATIO_FILTER)' \
	    --benchmark_out=$@ --benchmark_out_format=json

bench-compare: $(BENCH_DIR)/ratios.json
	bench/compare $<

bench-baseline: $(BENCH_DIR)/ratios.json
	bench/compare $< --update
endif
