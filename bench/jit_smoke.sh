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
#   bench/jit_smoke.sh VM sha256   bench/programs/sha256.c, static riscv64: the FIPS 180-4
#                                  vectors (--selftest), then 2 passes over 64 KiB
#   bench/jit_smoke.sh VM tools    Debian's riscv64 sha256sum, gzip, bzip2, xz and zstd on
#                                  256 KiB of bench/mkinput.py's input: the same bytes out
#                                  (compared by their SHA-256) as under qemu-riscv64
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
sha256)
    command -v riscv64-linux-gnu-gcc >/dev/null ||
        skip "riscv64-linux-gnu-gcc is not installed (package gcc-riscv64-linux-gnu)"
    riscv64-linux-gnu-gcc -O2 -static -o "$tmp/sha256" "$here/programs/sha256.c" ||
        fail "cannot build sha256.c for riscv64"
    run() { "$@" "$tmp/sha256" --selftest && "$@" "$tmp/sha256" 2 64; }
    want_re='^sha256 2 x 64 KiB [0-9a-f]{64}$'
    ;;
tools)
    root=$("$here/../scripts/fetch-riscv64.sh" coreutils gzip bzip2 xz-utils zstd | tail -n 1)
    rc=${PIPESTATUS[0]}
    [ "$rc" -eq 2 ] &&
        skip "riscv64 coreutils/gzip/bzip2/xz-utils/zstd cannot be fetched (no network?)"
    [ "$rc" -eq 0 ] || fail "scripts/fetch-riscv64.sh failed (status $rc)"
    python3 "$here/mkinput.py" "$tmp/input.bin" 0.25 || fail "mkinput.py failed"
    # one line per tool: its name and the SHA-256 of what it wrote
    run() {
        local t a
        for t in "sha256sum input.bin" "gzip -6 -n -c input.bin" "bzip2 -c input.bin" \
            "xz -1 -T1 -c input.bin" "zstd -3 --single-thread -q -c input.bin"; do
            read -r -a a <<<"$t"
            echo "${a[0]} $( (cd "$tmp" && "$@" "$root/usr/bin/${a[0]}" "${a[@]:1}") |
                sha256sum | cut -d ' ' -f 1)"
        done
    }
    want_re='^zstd [0-9a-f]{64}$'
    ;;
*) fail "unknown workload $what (memcpy, lua, sha256 or tools)" ;;
esac

qemu_args=("$qemu")
[ "$what" = lua ] || [ "$what" = tools ] && qemu_args+=(-L "$root")
want=$(run "${qemu_args[@]}") || fail "$what failed under qemu-riscv64"
echo "$want" | tail -n 1 | grep -qE "$want_re" || fail "unexpected output under qemu-riscv64: $want"

ran=0
for e in interp jit; do
    args=("$vm" run "--engine=$e")
    [ "$what" = lua ] || [ "$what" = tools ] && args+=(-L "$root")
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
