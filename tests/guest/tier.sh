#!/bin/sh
# tier.sh - the JIT's tiered mode tiers up where it should: `vm run --stats` of a guest whose
# hot loop the IR keeps in registers (irloop: faults and signals inside the loop) in the
# tiered mode with the default threshold must report translations retranslated through the
# IR, among them a loop kept in registers, with the program's output unchanged; the old path
# alone (VM_JIT_IR=0) and VM_JIT_TIER_THRESHOLD=0 must retranslate nothing.
#   tier.sh VM BINARY EXPECTED_OUTPUT
vm=$1
prog=$2
expected=$3
err=$(mktemp)
out=$(mktemp)
trap 'rm -f "$err" "$out"' EXIT
run() { # VM_JIT_IR VM_JIT_TIER_THRESHOLD: prints the --stats lines of the JIT
    if ! env VM_JIT_IR="$1" VM_JIT_TIER_THRESHOLD="$2" "$vm" run --engine=jit --stats "$prog" \
        >"$out" 2>"$err"; then
        if grep -qiE "not (available|supported)" "$err"; then
            echo "SKIPPED: $(head -n 1 "$err")"
            exit 77
        fi
        cat "$err"
        echo "FAIL: vm run failed (VM_JIT_IR=$1 VM_JIT_TIER_THRESHOLD=$2)"
        exit 1
    fi
    diff -u "$expected" "$out" >&2 || {
        echo "FAIL: output differs (VM_JIT_IR=$1 VM_JIT_TIER_THRESHOLD=$2)" >&2
        exit 1
    }
    grep "stats: jit:" "$err"
}
ups() { sed -n 's/.*tiered (IR after [^)]*): \([0-9]*\) translations retranslated.*/\1/p'; }
loops() { sed -n 's/.*IR loops: \([0-9]*\) translations keep a loop.*/\1/p'; }
tiered=$(run 2 "") || exit 1
n=$(echo "$tiered" | ups)
l=$(echo "$tiered" | loops)
echo "tiered: $n tier-ups, $l loops kept in registers" >&2
[ -n "$n" ] && [ "$n" -ge 1 ] || { echo "FAIL: nothing was retranslated through the IR"; exit 1; }
[ -n "$l" ] && [ "$l" -ge 1 ] || { echo "FAIL: no loop was retranslated into registers"; exit 1; }
old=$(run 0 "") || exit 1
[ -z "$(echo "$old" | ups)" ] || { echo "FAIL: VM_JIT_IR=0 tiered up"; exit 1; }
zero=$(run 2 0) || exit 1
[ -z "$(echo "$zero" | ups)" ] || { echo "FAIL: VM_JIT_TIER_THRESHOLD=0 tiered up"; exit 1; }
echo "PASS: $n translations tiered up ($l loops), none with the old path alone"
