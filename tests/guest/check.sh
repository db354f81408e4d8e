#!/bin/sh
# check.sh - run a guest program and compare its stdout and exit status with the expected.
#   check.sh EXPECTED_OUTPUT_FILE EXPECTED_STATUS COMMAND [ARGS...]
# stderr passes through (messages from vm are not part of the comparison).
expected=$1
status=$2
shift 2
out=$(mktemp)
"$@" >"$out"
rc=$?
fail=0
if [ "$rc" -ne "$status" ]; then
    echo "check: exit status $rc, expected $status" >&2
    fail=1
fi
if ! diff -u "$expected" "$out" >&2; then
    echo "check: output differs from $expected" >&2
    fail=1
fi
rm -f "$out"
exit $fail
