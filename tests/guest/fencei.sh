#!/bin/sh
# fencei.sh - fence.i and riscv_flush_icache after plain stores into generated code cost no
# flush of vm's caches: the page flags already dropped the code the stores reached, so only
# what the flags cannot see (a read into the page, a shared mapping) needs a flush. Runs
# `fencei loop 2000` (4000 fences) and reads `--stats`: the decode cache may be flushed a few
# times (a full arena), not once per fence.
#   fencei.sh VM BINARY
vm=$1
prog=$2
err=$(mktemp)
out=$(mktemp)
trap 'rm -f "$err" "$out"' EXIT
for engine in interp jit; do
    if ! "$vm" run --engine="$engine" --stats "$prog" loop 2000 >"$out" 2>"$err"; then
        cat "$out" "$err"
        echo "FAIL: vm run failed ($engine)"
        exit 1
    fi
    grep -q "^loop: fence.i 0 wrong, flush_icache 0 wrong" "$out" ||
        { cat "$out"; echo "FAIL: stale code ran ($engine)"; exit 1; }
    n=$(sed -n 's/^stats: decode-cache flushes *\([0-9]*\).*/\1/p' "$err")
    if [ -z "$n" ] || [ "$n" -gt 20 ]; then
        grep "^stats: decode" "$err"
        echo "FAIL: ${n:-no} decode-cache flushes for 4000 fences ($engine)"
        exit 1
    fi
    echo "ok ($engine): $n decode-cache flushes for 4000 fences"
done
