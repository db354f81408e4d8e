#!/bin/sh
# deterministic.sh VM ARGS... - `vm run --machine=virt --deterministic --stats ARGS` twice: the
# two runs must print the same output and retire the same instructions on every hart, with
# the same number of turns and the same machine clock (the harts take turns on one thread and
# time counts instructions, so nothing of the host's timing reaches the guest). Prints the
# counters it compared and "deterministic: same" on success.
set -u
vm=$1
shift
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in 1 2; do
    "$vm" run --machine=virt --deterministic --stats "$@" </dev/null >"$out/out$i" 2>"$out/err$i"
    echo "exit=$?" >>"$out/out$i"
    # the counters that must repeat (wall and CPU times, speeds and host yields may not)
    grep -E '^stats: (instructions retired|blocks decoded|interrupts taken|traps:|harts take turns|hart [0-9]+: [0-9]+ instructions)' "$out/err$i" |
        sed -E 's/, [0-9.]+ s thread CPU//; s/ \([0-9.]+ s asleep\)//' >"$out/count$i"
done
cat "$out/out1"
cat "$out/count1"
if ! grep -q 'harts take turns' "$out/count1"; then
    echo "deterministic: no turns counted (--stats)"
    cat "$out/err1"
    exit 1
fi
if ! cmp -s "$out/out1" "$out/out2"; then
    echo "deterministic: the outputs differ"
    diff "$out/out1" "$out/out2"
    exit 1
fi
if ! cmp -s "$out/count1" "$out/count2"; then
    echo "deterministic: the counters differ"
    diff "$out/count1" "$out/count2"
    exit 1
fi
echo "deterministic: same"
