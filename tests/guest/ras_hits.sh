#!/bin/sh
# ras_hits.sh - the JIT's return-address stack predicts returns: `vm run --engine=jit --stats`
# of the calls guest (hundreds of thousands of returns, most within 16 frames or to one call
# site) must count at least 100000 hits, and misses too (its longjmp and siglongjmp skip
# returns), with the program's output unchanged.
#   ras_hits.sh VM CALLS_BINARY EXPECTED_OUTPUT
vm=$1
prog=$2
expected=$3
err=$(mktemp)
out=$(mktemp)
trap 'rm -f "$err" "$out"' EXIT
if ! "$vm" run --engine=jit --stats "$prog" >"$out" 2>"$err"; then
    if grep -qiE "not (available|supported)" "$err"; then
        echo "SKIPPED: $(head -n 1 "$err")"
        exit 77
    fi
    cat "$err"
    echo "FAIL: vm run failed"
    exit 1
fi
diff -u "$expected" "$out" || { echo "FAIL: output differs"; exit 1; }
# the last line is the parent's (the forked child, which the parent waits for, prints its own
# counters first)
line=$(grep "return-address stack" "$err" | tail -n 1)
hits=$(echo "$line" | sed -n 's/.*hits \([0-9]*\).*/\1/p')
misses=$(echo "$line" | sed -n 's/.*misses \([0-9]*\).*/\1/p')
echo "$line"
if [ -z "$hits" ] || [ -z "$misses" ]; then
    echo "FAIL: no RAS counters in --stats"
    exit 1
fi
[ "$hits" -ge 100000 ] || { echo "FAIL: only $hits RAS hits"; exit 1; }
[ "$misses" -ge 1 ] || { echo "FAIL: no RAS miss, though longjmp skips returns"; exit 1; }
[ "$hits" -ge $((misses * 10)) ] || { echo "FAIL: $misses misses for $hits hits"; exit 1; }
echo "PASS: $hits hits, $misses misses"
