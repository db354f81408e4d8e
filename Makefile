# vm - top-level Makefile: a thin wrapper around CMake + CTest.
#
#   make            Release build into build/ (build/vm, build/vm-bench)
#   make demo       build, then run a bundled riscv64 Linux program under vm
#   make test       install missing Debian packages, build, run every test (also under
#                   ASan+UBSan with clang), check formatting
#   make format     reformat the C sources with clang-format
#   make install    install libvm (static and shared), its headers, vm.pc and vm under PREFIX
#
# Further targets live in mk/*.mk (benchmarks, cross-architecture tests, ...). A fragment
# adds a target to `make test` by appending its name to TEST_EXTRA.

JOBS       ?= 2
BUILD      ?= build
ASAN_BUILD ?= build-asan
CMAKE_ARGS ?=
CTEST_ARGS ?= --output-on-failure -j$(JOBS)
TEST_EXTRA :=

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' '*.cc' '*.cpp' 2>/dev/null)

PREFIX     ?= /usr/local

.PHONY: all build deps test test-release test-asan format format-check demo clean install

all: build

build:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release $(CMAKE_ARGS)
	cmake --build $(BUILD) -j$(JOBS)

deps:
	scripts/deps.sh

test: deps
	$(MAKE) format-check
	$(MAKE) test-release
	$(MAKE) test-asan
	@for t in $(TEST_EXTRA); do $(MAKE) $$t || exit 1; done

test-release: build
	ctest --test-dir $(BUILD) $(CTEST_ARGS)

# The sanitizer build uses clang, so that the tree is also checked -Werror clean with clang.
test-asan:
	CC=clang CXX=clang++ cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DVM_SANITIZE=ON \
	    -DVM_FUZZ=ON $(CMAKE_ARGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ctest --test-dir $(ASAN_BUILD) $(CTEST_ARGS) -LE no-sanitize

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_FILES) && echo "format-check: clean"

# The main job: build vm, show what it found on the host, then build the bundled riscv64
# program (demo/demo.c, dynamically linked against Debian's riscv64 C library) and run it.
RV64_CC ?= riscv64-linux-gnu-gcc
demo: deps build
	$(BUILD)/vm info
	$(RV64_CC) -O2 -o $(BUILD)/demo-rv64 demo/demo.c -lm
	@echo; echo '$$ vm run --stats $(BUILD)/demo-rv64 one two'
	$(BUILD)/vm run --stats $(BUILD)/demo-rv64 one two

# The library (libvm.a, libvm.so), its headers, vm.pc and the vm CLI under $(PREFIX).
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

-include mk/*.mk
