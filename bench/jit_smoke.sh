#!/usr/bin/env bash
# jit_smoke.sh - untimed smoke of two JIT-target workloads of bench/jit.sh (CTest, label
# bench): the workload runs once, small, under qemu-riscv64 and under `vm run` with each
# engine that is available (interp always; jit once `--engine=jit` stops answering "not
# available"), and vm's stdout must equal qemu-riscv64's.
#
#   bench/jit_smoke.sh VM memcpy   bench/guest/memcpy_bw.c, static riscv64 (its first line:
#                                  block size and checksum of the copied data)
#   bench/jit_smoke.sh VM lua      Debian's riscv64 lua5.4 (scripts/fetch-riscv64.sh) running
#                                  bench/guest/lua_mix.lua at scale 1
#
# Exit status 77 (CTest's SKIP_RETURN_CODE), with the reason, when qemu-riscv64, the riscv64
# compiler or the Debian archive is not there.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
skip() {
    echo "SKIPPED: $*"
    exit 77
}
fail() {
    echo "FAIL: $*"
    exit 1
}

[ $# -eq 2 ] || fail "usage: $0 VM memcpy|lua"
vm=$(realpath "$1")
what=$2
qemu=$(command -v qemu-riscv64) || skip "qemu-riscv64 is not installed (package qemu-user)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case $what in
memcpy)
    command -v riscv64-linux-gnu-gcc >/dev/null ||
        skip "riscv64-linux-gnu-gcc is not installed (package gcc-riscv64-linux-gnu)"
    riscv64-linux-gnu-gcc -O2 -static -o "$tmp/memcpy_bw" "$here/guest/memcpy_bw.c" ||
        fail "cannot build memcpy_bw.c for riscv64"
    run() { "$@" "$tmp/memcpy_bw" 0.02 0.01 | head -n 1; }
    want_re='^memcpy_bw block 1048576 checksum [0-9a-f]{16}$'
    ;;
lua)
    root=$("$here/../scripts/fetch-riscv64.sh" lua5.4 | tail -n 1)
    rc=${PIPESTATUS[0]}
    [ "$rc" -eq 2 ] && skip "riscv64 lua5.4 cannot be fetched from Debian's archive (no network?)"
    [ "$rc" -eq 0 ] || fail "scripts/fetch-riscv64.sh lua5.4 failed (status $rc)"
    cp "$here/guest/lua_mix.lua" "$tmp/"
    run() { (cd "$tmp" && "$@" "$root/usr/bin/lua5.4" lua_mix.lua 1); }
    want_re='^lua_mix 1 [0-9a-f]{8}$'
    ;;
*) fail "unknown workload $what (memcpy or lua)" ;;
esac

qemu_args=("$qemu")
[ "$what" = lua ] && qemu_args+=(-L "$root")
want=$(run "${qemu_args[@]}") || fail "$what failed under qemu-riscv64"
echo "$want" | grep -qE "$want_re" || fail "unexpected output under qemu-riscv64: $want"

ran=0
for e in interp jit; do
    args=("$vm" run "--engine=$e")
    [ "$what" = lua ] && args+=(-L "$root")
    if ! got=$(run "${args[@]}" 2>"$tmp/err"); then
        if [ $e = jit ] && grep -qiE "not (available|supported)" "$tmp/err"; then
            echo "$what: --engine=jit skipped: $(head -n 1 "$tmp/err")"
            continue
        fi
        cat "$tmp/err"
        fail "$what failed under vm run --engine=$e"
    fi
    if [ "$got" != "$want" ]; then
        echo "--- qemu-riscv64:"
        echo "$want"
        echo "--- vm run --engine=$e:"
        echo "$got"
        fail "$what: vm run --engine=$e and qemu-riscv64 disagree"
    fi
    echo "$what: vm run --engine=$e matches qemu-riscv64 ($(echo "$got" | tail -n 1))"
    ran=$((ran + 1))
done
echo "PASS: $what identical under qemu-riscv64 and $ran vm engine(s)"
