#!/bin/sh
# qemu_virt.sh QEMU ELF - run an ISA test on qemu-system-riscv64's virt board, for tests that
# need what its spike board lacks (Sstc: qemu 7.2's spike CPU has no stimecmp). The virt board
# has no HTIF, so the test cannot report through tohost there; instead qemu logs each block it
# translates (-d in_asm) and the test passes when the block at the ELF's `pass` label ran and
# the one at `fail` did not. The run ends by timeout (a passed test then spins in `pass`).
qemu=$1 elf=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=$(riscv64-linux-gnu-nm "$elf" | awk '$3 == "pass" { print $1 }')
fail=$(riscv64-linux-gnu-nm "$elf" | awk '$3 == "fail" { print $1 }')
[ -n "$pass" ] && [ -n "$fail" ] || { echo "no pass/fail symbols in $elf"; exit 1; }
timeout 10 "$qemu" -M virt -cpu rv64 -bios none -nographic -kernel "$elf" -d in_asm -D "$log" \
    </dev/null >/dev/null 2>&1
if grep -q "^0x$fail:" "$log"; then
    echo "qemu virt: $elf reached fail"
    exit 1
fi
if grep -q "^0x$pass:" "$log"; then
    echo "qemu virt: $elf passed"
    exit 0
fi
echo "qemu virt: $elf reached neither pass nor fail in 10 s"
exit 1
