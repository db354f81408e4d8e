#!/bin/sh
# check_calibrate.sh VM - `vm info` with the calibration cache missing, valid, truncated,
# written for another CPU, garbage, and in an unwritable directory: it must always succeed,
# print the plan and say where it came from (a bad file means "measured now" and a rewrite).
set -u
vm=$1
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
run() { XDG_CACHE_HOME=$1 "$vm" info 2>&1 || fail "vm info exited $? with cache $1"; }

out=$(run "$dir") || exit 1
echo "$out" | grep -q '^calibration: *measured now' || fail "missing cache was not measured: $out"
file=$(ls "$dir"/vm/memops-*.cal 2>/dev/null | head -1)
[ -n "$file" ] || fail "no cache file written under $dir/vm"
grep -q '^plan copy' <<EOT || fail "no plan printed"
$out
EOT
out=$(run "$dir") || exit 1
echo "$out" | grep -q '^calibration: *cache file' || fail "valid cache not used: $out"

head -c 40 "$file" >"$file.t" && mv "$file.t" "$file"
out=$(run "$dir") || exit 1
echo "$out" | grep -q '^calibration: *measured now' || fail "truncated cache accepted: $out"

sed 's/^id .*/id x86_64;Some Other CPU;sig=00000000/' "$file" >"$file.t" && mv "$file.t" "$file"
out=$(run "$dir") || exit 1
echo "$out" | grep -q '^calibration: *measured now' || fail "foreign cache accepted: $out"

head -c 300 /dev/urandom >"$file"
out=$(run "$dir") || exit 1
echo "$out" | grep -q '^calibration: *measured now' || fail "garbage cache accepted: $out"
out=$(run "$dir") || exit 1
echo "$out" | grep -q '^calibration: *cache file' || fail "rewritten cache not used: $out"

out=$(run /proc/vm-unwritable) || exit 1
echo "$out" | grep -q '^calibration: *measured now' || fail "unwritable dir: $out"

out=$(XDG_CACHE_HOME=$dir "$vm" info --calibrate 2>&1) || fail "vm info --calibrate failed"
echo "$out" | grep -q '^calibration: *measured now, for [a-z0-9]*, measured in' ||
    fail "--calibrate did not measure: $out"
out=$(XDG_CACHE_HOME=$dir VM_MEMOPS_NT_MIN=1M "$vm" info 2>&1) || fail "override run failed"
echo "$out" | grep -q 'not in force' || fail "threshold variable did not override: $out"
echo "PASS: missing, valid, truncated, foreign, garbage and unwritable caches all handled"
