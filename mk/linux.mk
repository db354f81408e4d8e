# linux.mk - user-mode checks beyond CTest: real riscv64 programs from Debian (busybox, lua, python)
# under vm compared with qemu-riscv64 (fetched once and cached; skipped without network).
.PHONY: test-debian

test-debian: build
	scripts/test-debian.sh $(BUILD)/vm

TEST_EXTRA += test-debian
