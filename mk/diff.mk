# diff.mk - CPU differential testing beyond the CTest share (tests/diff/rvdiff.py).
#
#   make diff N=100000 SEED=7          N random sequences of 50 instructions, vm vs qemu-riscv64
#   make diff REF="build/vm run --engine=jit"   vm against itself under another engine
#   make diff KEEP=out/diff            keep the source and ELF of every diverging program
#   make diff REPEAT=50 LENGTH=200     run each sequence 50 times (hot code), longer sequences
#
# A divergence prints the seed, a reproduce command, the disassembly and the differing state.
.PHONY: diff

N       ?= 10000
SEED    ?= $(shell date +%s)
REF     ?= qemu-riscv64
DIFF_VM ?= $(BUILD)/vm run
KEEP    ?=
REPEAT  ?= 1
LENGTH  ?= 50

diff: build
	python3 tests/diff/rvdiff.py --vm "$(DIFF_VM)" --ref "$(REF)" --seed $(SEED) \
	    --sequences $(N) --length $(LENGTH) --repeat $(REPEAT) --jobs $(JOBS) \
	    $(if $(KEEP),--keep $(KEEP))
