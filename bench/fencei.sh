#!/usr/bin/env bash
# fencei.sh - a small guest JIT under vm and qemu-riscv64 side by side: tests/guest/fencei.c's
# bench mode writes a 16-instruction block, makes it visible with fence.i, runs it and then
# some compiled code (qsort, snprintf) that stays hot, ROUNDS times. Every fence.i used to
# drop vm's whole decode and code caches; now only a write the page flags cannot see does.
# Runs are interleaved (each executor once per round, BENCH_RUNS rounds); the figure is the
# median CPU time (user + system) of the whole process; each run's checksum line must match
# the first one.
#
#   bench/fencei.sh FENCEI_STATIC_BINARY VM [VM_BASELINE] [ROUNDS]
#
# BENCH_RUNS (default 5), BENCH_ENGINES (default "jit interp").
set -uo pipefail
prog=${1:?usage: bench/fencei.sh FENCEI_STATIC_BINARY VM [VM_BASELINE] [ROUNDS]}
vm=${2:?usage: bench/fencei.sh FENCEI_STATIC_BINARY VM [VM_BASELINE] [ROUNDS]}
base=${3:-}
rounds=${4:-20000}
runs=${BENCH_RUNS:-5}
engines=${BENCH_ENGINES:-jit interp}
qemu=$(command -v qemu-riscv64 || true)

execs=()
for e in $engines; do
    execs+=("vm-$e|$vm run --engine=$e")
    [ -n "$base" ] && execs+=("base-$e|$base run --engine=$e")
done
[ -n "$qemu" ] && execs+=("qemu|$qemu")

declare -A times
ref=""
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for ((r = 0; r < runs; r++)); do
    for x in "${execs[@]}"; do
        name=${x%%|*}
        cmd=${x#*|}
        # CPU seconds of the process and its children (user + system)
        t=$( { TIMEFORMAT='%U %S'; time $cmd "$prog" bench "$rounds" >"$tmp"; } 2>&1 | tail -1)
        line=$(cat "$tmp")
        [ -z "$ref" ] && ref=$line
        if [ "$line" != "$ref" ]; then
            echo "fencei-bench: $name printed '$line', expected '$ref'" >&2
            exit 1
        fi
        cpu=$(echo "$t" | awk '{printf "%.3f", $1 + $2}')
        times[$name]="${times[$name]:-} $cpu"
    done
done
echo "fencei bench: $rounds rounds, $runs runs each, median CPU seconds (user + system)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for x in "${execs[@]}"; do
    name=${x%%|*}
    med=$(echo ${times[$name]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf "%-12s %8s s   (runs:%s)\n" "$name" "$med" "${times[$name]}"
done
