# diff.mk - CPU differential testing beyond the CTest share (tests/diff/rvdiff.py).
#
#   make diff N=100000 SEED=7          N random sequences of 50 instructions, vm vs qemu-riscv64
#   make diff DIFF_REF="build/vm run --engine=interp" DIFF_VM="build/vm run --engine=jit"
#                                      vm against itself under two engines
#   make diff DIFF_KEEP=out/diff       keep the source and ELF of every diverging program
#   make diff DIFF_REPEAT=50 DIFF_LENGTH=200   each sequence 50 times (hot code), longer ones
#
# A divergence prints the seed, a reproduce command, the disassembly, the differing state and
# the first diverging instruction (see tests/diff/README.md).
.PHONY: diff

N           ?= 10000
SEED        ?= $(shell date +%s)
DIFF_REF    ?= qemu-riscv64
DIFF_VM     ?= $(BUILD)/vm run
DIFF_KEEP   ?=
DIFF_REPEAT ?= 1
DIFF_LENGTH ?= 50

diff: build
	python3 tests/diff/rvdiff.py --vm "$(DIFF_VM)" --ref "$(DIFF_REF)" --seed $(SEED) \
	    --sequences $(N) --length $(DIFF_LENGTH) --repeat $(DIFF_REPEAT) --jobs $(JOBS) \
	    $(if $(DIFF_KEEP),--keep $(DIFF_KEEP))
