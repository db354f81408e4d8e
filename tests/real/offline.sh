#!/usr/bin/env bash
# offline.sh - without a reachable archive the real/ tests must be skipped, saying why: never
# failed, never passed. Points the fetch at a closed local port with an empty cache and checks
# for CTest's skip status (77) and the reason.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
out=$(VM_CACHE=$cache VM_DEBIAN_MIRROR=http://127.0.0.1:9/debian "$here/run.sh" --fetch lua 2>&1)
rc=$?
echo "$out"
if [ $rc -ne 77 ] || ! grep -q "^SKIPPED: .*cannot be fetched" <<<"$out"; then
    echo "FAIL: expected a skip (status 77) with its reason, got status $rc"
    exit 1
fi
echo "PASS: unreachable archive gives a skip with its reason"
