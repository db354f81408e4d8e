#!/bin/sh
# ir_map.sh - the IR's per-translation register map is used where it should be: `vm run
# --stats` of a guest whose hot loop spills (irloop: 24 live guest registers, several pinned
# ones only read or not touched in the loop) under the IR must report translations that give
# pinned registers to the allocator, with the program's output unchanged; with
# VM_JIT_IR_MAP=0 none may.
#   ir_map.sh VM BINARY EXPECTED_OUTPUT
vm=$1
prog=$2
expected=$3
err=$(mktemp)
out=$(mktemp)
trap 'rm -f "$err" "$out"' EXIT
maps() { # MAP_POLICY: the number of translations with a map of their own
    if ! VM_JIT_IR=1 VM_JIT_IR_MAP=$1 VM_JIT_THRESHOLD=1 "$vm" run --engine=jit --stats "$prog" \
        >"$out" 2>"$err"; then
        if grep -qiE "not (available|supported)" "$err"; then
            echo "SKIPPED: $(head -n 1 "$err")"
            exit 77
        fi
        cat "$err"
        echo "FAIL: vm run failed (VM_JIT_IR_MAP=$1)"
        exit 1
    fi
    diff -u "$expected" "$out" >&2 || { echo "FAIL: output differs (VM_JIT_IR_MAP=$1)" >&2; exit 1; }
    line=$(grep "register maps" "$err" | tail -n 1)
    echo "VM_JIT_IR_MAP=$1: $line" >&2
    echo "$line" | sed -n 's/.*register maps: \([0-9]*\) translations.*/\1/p'
}
on=$(maps 2) || exit 1
untouched=$(maps 1) || exit 1
off=$(maps 0) || exit 1
[ -n "$on" ] && [ -n "$off" ] && [ -n "$untouched" ] || { echo "FAIL: no register-map counter"; exit 1; }
[ "$on" -ge 1 ] || { echo "FAIL: no translation used a register map"; exit 1; }
[ "$untouched" -ge 1 ] || { echo "FAIL: no translation used a map of untouched registers"; exit 1; }
[ "$off" -eq 0 ] || { echo "FAIL: VM_JIT_IR_MAP=0 still made $off maps"; exit 1; }
echo "PASS: $on translations with a map ($untouched with untouched registers only), none when off"
