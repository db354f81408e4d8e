#!/bin/sh
# stats_fd.sh - `vm run --stats` prints its figures on vm's stderr even when the guest closed
# its own fd 2 before exiting (coreutils does): vm writes them through a copy of its stderr
# taken at start, kept out of the guest's reach.
#   stats_fd.sh VM BINARY
vm=$1
prog=$2
err=$(mktemp)
out=$(mktemp)
trap 'rm -f "$err" "$out"' EXIT
for engine in interp jit; do
    if ! "$vm" run --engine="$engine" --stats "$prog" >"$out" 2>"$err"; then
        cat "$err"
        echo "FAIL: vm run failed ($engine)"
        exit 1
    fi
    grep -q "^before close" "$out" || { cat "$out"; echo "FAIL: no program output ($engine)"; exit 1; }
    if ! grep -q "^stats: instructions retired" "$err"; then
        echo "--- stderr:"
        cat "$err"
        echo "FAIL: no --stats figures after the guest closed fd 2 ($engine)"
        exit 1
    fi
done
echo "ok: --stats printed after the guest closed its stderr"
