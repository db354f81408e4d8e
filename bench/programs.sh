#!/usr/bin/env bash
# programs.sh - whole-program comparison: each bench/programs/*.c is built natively and for
# riscv64 (static), its output is checked to be the same under every executor, and hyperfine
# times it natively, under qemu-riscv64 and under `vm run`. Both builds use -ffp-contract=off
# (riscv64 gcc fuses a*b+c by default), so floating-point results agree bit for bit.
# Results: one hyperfine JSON per program in OUTDIR, read by bench/report.py --programs.
#
#   bench/programs.sh OUTDIR [VM_BINARY]      (CPU pinning: BENCH_CPU=N, default: last CPU)
set -euo pipefail

out=${1:?usage: bench/programs.sh OUTDIR [VM_BINARY]}
vm=${2:-build/vm}
here=$(cd "$(dirname "$0")" && pwd)
runs=${BENCH_PROGRAM_RUNS:-5}

missing=()
for t in hyperfine qemu-riscv64 riscv64-linux-gnu-gcc cc; do
    command -v "$t" >/dev/null || missing+=("$t")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "programs: skipped, missing: ${missing[*]}" >&2
    exit 0
fi

vm_runs=no
if [ -x "$vm" ] && "$vm" help 2>&1 | grep -qE '^[[:space:]]+run[[:space:]]'; then
    vm_runs=yes
else
    echo "programs: $vm has no 'run' command yet: timing native and qemu-riscv64 only" >&2
fi

cpu=${BENCH_CPU:-auto}
if [ "$cpu" = auto ]; then cpu=$(($(nproc) - 1)); fi
pin=()
command -v taskset >/dev/null && pin=(taskset -c "$cpu")

mkdir -p "$out"
rm -f "$out"/*.json
for src in "$here"/programs/*.c; do
    name=$(basename "$src" .c)
    cc -O2 -ffp-contract=off -o "$out/$name.native" "$src" -lm
    riscv64-linux-gnu-gcc -O2 -ffp-contract=off -static -o "$out/$name.rv64" "$src" -lm
    want=$("$out/$name.native")
    got=$(qemu-riscv64 "$out/$name.rv64")
    if [ "$got" != "$want" ]; then
        echo "programs: $name: qemu-riscv64 printed '$got', native '$want'" >&2
        exit 1
    fi
    cmds=(-n native "$out/$name.native" -n qemu "qemu-riscv64 $out/$name.rv64")
    if [ "$vm_runs" = yes ]; then
        got=$("$vm" run "$out/$name.rv64")
        if [ "$got" != "$want" ]; then
            echo "programs: $name: vm printed '$got', native '$want'" >&2
            exit 1
        fi
        cmds+=(-n vm "$vm run $out/$name.rv64")
    fi
    "${pin[@]}" hyperfine -N --warmup 1 --runs "$runs" --export-json "$out/$name.json" \
        "${cmds[@]}"
done
