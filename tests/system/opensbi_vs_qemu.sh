#!/bin/sh
# opensbi_vs_qemu.sh VM QEMU FIRMWARE - OpenSBI's report of the platform under vm's virt
# machine and under qemu-system-riscv64's must agree. Lines that describe the hart's own
# ISA are left out, because the two harts implement different extensions (qemu's has H, Sstc,
# 16 PMP entries and hardware performance counters; vm's has none of these, and 64 PMP
# entries): Base ISA, ISA Extensions, PMP Count, MHPM Count, MIDELEG and MEDELEG.
set -eu
vm=$1 qemu=$2 fw=$3
pattern='Platform|Runtime SBI|Domain0 Next Mode|Domain0 SysReset|Boot HART ID|Boot HART Priv|Boot HART PMP Granularity|Boot HART PMP Address'
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
timeout 8 "$qemu" -M virt -m 128M -nographic -bios "$fw" </dev/null >"$out/qemu" 2>&1 || true
"$vm" run --machine=virt -bios "$fw" --max-insns=40000000 </dev/null >"$out/vm" 2>&1 || true
grep -E "$pattern" "$out/qemu" >"$out/qemu.lines" || true
grep -E "$pattern" "$out/vm" >"$out/vm.lines" || true
if [ ! -s "$out/qemu.lines" ]; then
    echo "opensbi_vs_qemu: qemu printed no OpenSBI report" >&2
    cat "$out/qemu" >&2
    exit 1
fi
if ! diff -u "$out/qemu.lines" "$out/vm.lines"; then
    echo "opensbi_vs_qemu: vm and qemu-system-riscv64 disagree (above)" >&2
    exit 1
fi
echo "opensbi_vs_qemu: $(wc -l <"$out/vm.lines") lines of OpenSBI's platform report agree"
