# bench.mk - perf-bench targets (vm-bench, Google Benchmark). Timed runs live here, never in
# `make test` (CI only runs the untimed smoke through CTest).
#
#   make bench           the full suite, repeated and interleaved; JSON in build/bench-results
#   make bench-quick     a small subset, in well under a minute
#   make bench-report    build, full run, whole programs, then docs/performance.md + plots
#   make bench-programs  whole programs: native vs qemu-riscv64 vs vm (hyperfine)
#   make bench-jit       the JIT targets: native, qemu-riscv64, vm interp, vm jit on mixed,
#                        a SHA-256 kernel, Debian's sha256sum/gzip/bzip2/xz/zstd,
#                        Lua, memcpy and start-up, plus translation cost; writes
#                        BENCH_JIT_JSON (default build/bench-results/jit.json), 10-20 minutes
#   make bench-profile   where vm's time goes in each bench-jit workload: `perf record` of the
#                        jit column of the last `make bench-jit` run (bench/profile.py),
#                        by translation, vm source file, library and host kernel
#   make bench-system    system mode: Debian's kernel booted on vm and on qemu-system-riscv64,
#                        and a CPU workload inside the guest vs user mode (bench/system.sh;
#                        BENCH_ENGINES="jit interp" adds the interpreter), several minutes
#   make bench-disk      virtio-blk: a 256 MiB file written and read back with dd and O_DIRECT
#                        inside the guest, vm against qemu-system-riscv64 on the same kernel
#                        and image, runs interleaved, medians (bench/disk.sh), a few minutes
#   make bench-compare   run the ratio subset and check it against bench/baseline.json
#   make bench-baseline  run the ratio subset and rewrite bench/baseline.json (quiet machine!);
#                        BENCH_BASELINE_ONLY=guest. rewrites only the guest (JIT) ratios
#
# BENCH_JSON=file.json makes bench-report / bench-compare / bench-baseline use an existing
# result instead of running the suite. BENCH_CPU picks the CPU to pin to (default: the
# highest allowed one). bench-report adds the "JIT targets" section when BENCH_JIT_JSON
# exists. BENCH_RUNS: timed runs per column of bench-jit; BENCH_SYSTEM_RUNS: of bench-system;
# BENCH_DISK_RUNS: of bench-disk.

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
BENCH_QUICK_FILTER ?= ^(volatile_vs_normal|batch_vs_loop|memory_operations|guest)/|^(memcpy|memset|memmove)_sizes/(glibc|vm_auto)/(256|4096|65536|1048576)$$|^ceiling/
BENCH_RATIO_FILTER ?= ^(volatile_vs_normal|batch_vs_loop|memory_operations|ceiling|guest)/|^(memcpy|memset|memmove)_sizes/(glibc|vm_auto)/
# bench-baseline rewrites only the ratios whose id starts with one of these prefixes when set
# (e.g. BENCH_BASELINE_ONLY=guest. for the JIT ratios); empty rewrites them all.
BENCH_BASELINE_ONLY ?=
BENCH_TOOLS    = gnuplot:gnuplot-nox hyperfine:hyperfine

BENCH_JIT_JSON ?= $(BENCH_DIR)/jit.json
BENCH_RUNS     ?= 7
BENCH_SYSTEM_RUNS ?= 3
BENCH_DISK_RUNS ?= 5

.PHONY: bench bench-quick bench-report bench-compare bench-baseline bench-tools bench-programs \
        bench-jit bench-profile bench-system bench-disk

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
	    $$sudo apt-get install -y -q --no-install-recommends $$pkg || \
	        { $$sudo apt-get update -q && \
	          $$sudo apt-get install -y -q --no-install-recommends $$pkg; } || exit 1; \
	done

bench-programs: build
	BENCH_CPU=$(BENCH_CPU) bench/programs.sh $(BENCH_DIR)/programs $(BUILD)/vm

# bench/jit.sh exits 1 when a column printed a wrong output: the summary is still written
# (that column marked), then the target fails; 2 when it could not run at all. Only
# hyperfine is installed for it when missing.
bench-jit: build
	@$(MAKE) --no-print-directory bench-tools BENCH_TOOLS=hyperfine:hyperfine
	@mkdir -p $(BENCH_DIR)
	BENCH_CPU=$(BENCH_CPU) BENCH_RUNS=$(BENCH_RUNS) bench/jit.sh $(BENCH_DIR)/jit $(BUILD)/vm; \
	    st=$$?; [ $$st -ne 2 ] || exit 2; \
	    python3 bench/jit_summary.py $(BENCH_DIR)/jit --json $(BENCH_JIT_JSON) && exit $$st

# needs the directory of a bench-jit run (its commands and inputs); perf from linux-perf
bench-profile: build
	@test -e $(BENCH_DIR)/jit/columns.tsv || { echo "bench-profile: run make bench-jit first"; exit 2; }
	@command -v perf >/dev/null || $(MAKE) --no-print-directory bench-tools BENCH_TOOLS=perf:linux-perf
	BUILD=$(BUILD) python3 bench/profile.py $(BENCH_DIR)/jit $(BENCH_WORKLOADS)

bench-system: build
	@$(MAKE) --no-print-directory bench-tools BENCH_TOOLS=hyperfine:hyperfine
	BENCH_RUNS=$(BENCH_SYSTEM_RUNS) bench/system.sh $(BENCH_DIR)/system $(BUILD)/vm

bench-disk: build
	BENCH_RUNS=$(BENCH_DISK_RUNS) bench/disk.sh $(BENCH_DIR)/disk $(BUILD)/vm

BENCH_REPORT = python3 bench/report.py --out docs/performance.md --plots docs/plots \
               --programs $(BENCH_DIR)/programs \
               $(if $(wildcard $(BENCH_JIT_JSON)),--jit $(BENCH_JIT_JSON))

ifdef BENCH_JSON
bench-report: bench-tools
	$(BENCH_REPORT) $(BENCH_JSON)
bench-compare:
	bench/compare $(BENCH_JSON)
bench-baseline:
	bench/compare $(BENCH_JSON) --update $(foreach p,$(BENCH_BASELINE_ONLY),--only $(p))
else
bench-report: bench-tools
	$(MAKE) bench
	$(MAKE) bench-programs
	$(BENCH_REPORT) $(BENCH_DIR)/results.json

# The ratio subset: only what bench/compare reads, rerun every time.
BENCH_RATIO_RUN = mkdir -p $(BENCH_DIR) && $(BENCH_BIN) $(BENCH_FLAGS) \
    --benchmark_filter='$(BENCH_RATIO_FILTER)' --benchmark_out=$(BENCH_DIR)/ratios.json \
    --benchmark_out_format=json

bench-compare: build
	$(BENCH_RATIO_RUN)
	bench/compare $(BENCH_DIR)/ratios.json

bench-baseline: build
	$(BENCH_RATIO_RUN)
	bench/compare $(BENCH_DIR)/ratios.json --update $(foreach p,$(BENCH_BASELINE_ONLY),--only $(p))
endif
