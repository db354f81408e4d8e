# neon.mk - the AArch64 build of memops (scalar + NEON + dispatch + host detection) and its
# unit test, cross-compiled and run under qemu-user, so the NEON code is tested on every run
# of `make test` on an x86-64 machine. cmocka for AArch64 is not packaged, so the test links
# against the small compatible header in tests/cross/.

NEON_BUILD  ?= build-neon
NEON_CC     ?= aarch64-linux-gnu-gcc
NEON_QEMU   ?= qemu-aarch64 -L /usr/aarch64-linux-gnu
NEON_CFLAGS ?= -std=c11 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc -Itests/cross
NEON_NOLIB   = -fno-builtin -fno-tree-loop-distribute-patterns
NEON_OBJS    = $(NEON_BUILD)/host.o $(NEON_BUILD)/host_cache.o $(NEON_BUILD)/memops.o \
               $(NEON_BUILD)/memops_cal.o $(NEON_BUILD)/version.o $(NEON_BUILD)/memops_scalar.o \
               $(NEON_BUILD)/memops_neon.o $(NEON_BUILD)/test_memops.o
NEON_DEPS    = $(wildcard src/mem/*.h include/vm/*.h tests/cross/*.h)

.PHONY: test-neon
TEST_EXTRA += test-neon

$(NEON_BUILD)/host.o: src/mem/host.c $(NEON_DEPS)
	@mkdir -p $(NEON_BUILD)
	$(NEON_CC) $(NEON_CFLAGS) -c $< -o $@
$(NEON_BUILD)/host_cache.o: src/mem/host_cache.c $(NEON_DEPS)
	@mkdir -p $(NEON_BUILD)
	$(NEON_CC) $(NEON_CFLAGS) -c $< -o $@
$(NEON_BUILD)/memops_cal.o: src/mem/memops_cal.c $(NEON_DEPS)
	@mkdir -p $(NEON_BUILD)
	$(NEON_CC) $(NEON_CFLAGS) -c $< -o $@
$(NEON_BUILD)/version.o: src/core/version.c $(NEON_DEPS)
	@mkdir -p $(NEON_BUILD)
	$(NEON_CC) $(NEON_CFLAGS) -DVM_VERSION_STRING='"cross"' -c $< -o $@
$(NEON_BUILD)/memops.o: src/mem/memops.c $(NEON_DEPS)
	@mkdir -p $(NEON_BUILD)
	$(NEON_CC) $(NEON_CFLAGS) -c $< -o $@
$(NEON_BUILD)/memops_scalar.o: src/mem/memops_scalar.c $(NEON_DEPS)
	@mkdir -p $(NEON_BUILD)
	$(NEON_CC) $(NEON_CFLAGS) $(NEON_NOLIB) -fno-tree-vectorize -fno-tree-slp-vectorize -c $< -o $@
$(NEON_BUILD)/memops_neon.o: src/mem/memops_neon.c $(NEON_DEPS)
	@mkdir -p $(NEON_BUILD)
	$(NEON_CC) $(NEON_CFLAGS) $(NEON_NOLIB) -c $< -o $@
$(NEON_BUILD)/test_memops.o: tests/unit/test_memops.c $(NEON_DEPS)
	@mkdir -p $(NEON_BUILD)
	$(NEON_CC) $(NEON_CFLAGS) -c $< -o $@
$(NEON_BUILD)/test_memops: $(NEON_OBJS)
	$(NEON_CC) $(NEON_OBJS) -o $@ -lpthread

test-neon: $(NEON_BUILD)/test_memops
	$(NEON_QEMU) $(NEON_BUILD)/test_memops

# The blocking-call stub of user mode (src/linux/safe_syscall.[ch]) has one assembly version
# per host; its AArch64 one is built and run here the same way (qemu-user delivers the
# signal with the pc on the svc, as the kernel does when it restarts a call).
SAFE_SC_SRCS = src/linux/safe_syscall.c tests/unit/test_safe_syscall.c
SAFE_SC_DEPS = src/linux/safe_syscall.h src/linux/safe_syscall_aarch64.h tests/cross/cmocka.h

.PHONY: test-neon-safe-syscall
TEST_EXTRA += test-neon-safe-syscall

$(NEON_BUILD)/test_safe_syscall: $(SAFE_SC_SRCS) $(SAFE_SC_DEPS)
	@mkdir -p $(NEON_BUILD)
	$(NEON_CC) $(NEON_CFLAGS) $(SAFE_SC_SRCS) -o $@ -lpthread

test-neon-safe-syscall: $(NEON_BUILD)/test_safe_syscall
	$(NEON_QEMU) $(NEON_BUILD)/test_safe_syscall
