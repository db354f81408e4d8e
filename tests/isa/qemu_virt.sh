#!/bin/sh
# qemu_virt.sh QEMU ELF - run an ISA test on qemu-system-riscv64's virt board, for tests that
# need what its spike board lacks (Sstc: qemu 7.2's spike CPU has no stimecmp). The virt board
# has no HTIF, so the test cannot report through tohost there; instead qemu logs each block it
# translates (-d in_asm) and the test passes when the block at the ELF's `pass` label ran and
# the one at `fail` did not; qemu is stopped as soon as either shows (a test spins there).
qemu=$1 elf=$2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
pass=$(riscv64-linux-gnu-nm "$elf" | awk '$3 == "pass" { print $1 }')
fail=$(riscv64-linux-gnu-nm "$elf" | awk '$3 == "fail" { print $1 }')
[ -n "$pass" ] && [ -n "$fail" ] || { echo "no pass/fail symbols in $elf"; exit 1; }
"$qemu" -M virt -cpu rv64 -bios none -nographic -kernel "$elf" -d in_asm -D "$log" \
    </dev/null >/dev/null 2>&1 &
pid=$!
# until the log shows pass or fail (at most about 50 s, for a loaded machine)
n=0
verdict=""
while [ $n -lt 500 ]; do
    if grep -q "^0x$fail:" "$log"; then
        verdict=fail
        break
    fi
    if grep -q "^0x$pass:" "$log"; then
        verdict=pass
        break
    fi
    n=$((n + 1))
    sleep 0.1
done
kill $pid 2>/dev/null
wait $pid 2>/dev/null
case $verdict in
pass) echo "qemu virt: $elf passed" ;;
fail) echo "qemu virt: $elf reached fail" && exit 1 ;;
*) echo "qemu virt: $elf reached neither pass nor fail in 50 s" && exit 1 ;;
esac
