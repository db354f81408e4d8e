#!/bin/sh
# innerloop_stats.sh - the loops of innerloop.S run as loops under the IR: `vm run --stats`
# in the default tiered mode counts the ways translated code takes between translations and
# the iterations IR loops keep in registers. With the IR's paths following loops round to
# their start and through leaf calls (VM_JIT_IR_FOLLOW=3), the program must leave its
# translations at most 60% as often as without (VM_JIT_IR_FOLLOW=0: each path as the old
# one) and keep more iterations in registers; by default (leaf calls only) its leaf call's
# returns must stop leaving through return stubs (fewer than half as many). Every run must
# pass.
#   innerloop_stats.sh VM ELF
vm=$1
elf=$2
# VM_JIT_TAKEN=0: superblocks along a branch's taken side (a fall-through side that never
# ran) also turn some of these loops into loops of their own translation; off, the counts
# measure following alone
run() { # VM_JIT_IR_FOLLOW: prints the --stats lines of the JIT
    out=$(env VM_JIT_TAKEN=0 VM_JIT_IR_FOLLOW="$1" "$vm" run --machine=bare --engine=jit --stats \
        --max-insns=100000000 "$elf" 2>&1)
    rc=$?
    if [ $rc -ne 0 ]; then
        if echo "$out" | grep -qiE "not (available|supported)"; then
            echo "SKIPPED: $(echo "$out" | head -n 1)"
            exit 77
        fi
        echo "$out"
        echo "FAIL: the program failed (VM_JIT_IR_FOLLOW=$1, exit $rc)"
        exit 1
    fi
    echo "$out" | grep "stats: jit:"
}
ways() { sed -n 's/.*ways between translations: \([0-9]*\) taken.*/\1/p'; }
iters() { sed -n 's/.*IR loop iterations kept in registers \([0-9]*\).*/\1/p'; }
rets() { sed -n 's/.*return stubs \([0-9]*\)).*/\1/p'; }
new=$(run 3) || exit $?
old=$(run 0) || exit $?
def=$(run "") || exit $?
dr=$(echo "$def" | rets)
or=$(echo "$old" | rets)
echo "return stubs taken: $dr by default, $or without following"
[ -n "$dr" ] && [ -n "$or" ] && [ $((dr * 2)) -lt "$or" ] ||
    { echo "FAIL: the leaf call's returns still leave through return stubs"; exit 1; }
nw=$(echo "$new" | ways)
ow=$(echo "$old" | ways)
ni=$(echo "$new" | iters)
oi=$(echo "$old" | iters)
echo "following: $nw ways taken, $ni iterations kept; not following: $ow ways, $oi iterations"
[ -n "$nw" ] && [ -n "$ow" ] && [ -n "$ni" ] && [ -n "$oi" ] ||
    { echo "FAIL: no counts of ways between translations in --stats"; exit 1; }
[ $((nw * 5)) -le $((ow * 3)) ] ||
    { echo "FAIL: the loops leave their translations as often as without following"; exit 1; }
[ "$ni" -gt "$oi" ] || { echo "FAIL: no more iterations kept in registers"; exit 1; }
echo "PASS"
