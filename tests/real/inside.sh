#!/usr/bin/env bash
# inside.sh - riscv64 programs that start other riscv64 programs, all inside one `vm run -L`:
# Debian's bash running a script of pipelines and coreutils, Debian's gcc compiling, linking
# and running a C program (the driver starts cc1, as, collect2 and ld), and Debian's make -j2
# building a small multi-file project with that gcc. Every program is found through the
# sysroot by the guest's own execve, so these cases test that -L applies to execve as it does
# to open and stat. qemu-riscv64 hands a guest execve to the host kernel and cannot run these
# without binfmt_misc, so the output is compared with NAME.expect (made with the same script
# on a native Linux) instead.
#
#   tests/real/inside.sh VM NAME      (NAME: shell, gcc, make)
#   tests/real/inside.sh --fetch      only make sure the sysroot holds the packages
#
# Exit status 77 (skip) when the archive cannot be reached, with the reason on stdout.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fetch=$here/../../scripts/fetch-riscv64.sh
pkgs=(bash coreutils sed grep diffutils gcc libc6-dev binutils make)
skip() {
    echo "SKIPPED: $*"
    exit 77
}
fail() {
    echo "FAIL: $*"
    exit 1
}
out=$("$fetch" "${pkgs[@]}")
rc=$?
[ $rc -eq 2 ] && skip "riscv64 packages cannot be fetched from Debian's archive (no network?)"
[ $rc -eq 0 ] || fail "scripts/fetch-riscv64.sh ${pkgs[*]} failed (status $rc)"
root=$(echo "$out" | tail -n 1)
if [ "${1:-}" = "--fetch" ]; then
    echo "sysroot ready: ${pkgs[*]}"
    exit 0
fi
[ $# -eq 2 ] || fail "usage: $0 VM NAME"
vm=$(realpath "$1")
name=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || fail "no scratch folder"
# a small, fixed environment; vm's engine comes from $VM_ENGINE (set by CTest)
run() {
    env -i PATH=/usr/bin:/bin HOME="$tmp" LC_ALL=C ${VM_ENGINE:+VM_ENGINE=$VM_ENGINE} ${VM_JIT_IR:+VM_JIT_IR=$VM_JIT_IR} \
        ${VM_JIT_THRESHOLD:+VM_JIT_THRESHOLD=$VM_JIT_THRESHOLD} "$vm" run -L "$root" "$@"
}
case $name in
shell)
    run "$root/usr/bin/bash" "$here/shell.bash" >got 2>&1
    echo "exit status $?" >>got
    ;;
gcc)
    cp "$here/compile.c" .
    {
        run "$root/usr/bin/gcc" -O2 -Wall -o prog compile.c 2>&1
        echo "gcc exit status $?"
        run ./prog
        echo "prog exit status $?"
        # the same in two steps: cc1 and as, then collect2 and ld
        mkdir two
        run "$root/usr/bin/gcc" -c -o compile.o compile.c && run "$root/usr/bin/gcc" -o two/prog compile.o
        echo "two-step exit status $?"
        run ./prog >one.out && run two/prog >two.out && cmp -s one.out two.out && echo "two-step output same"
    } >got 2>&1
    ;;
make)
    cp "$here"/project/* .
    {
        run "$root/usr/bin/make" -j2 -s
        echo "make exit status $?"
        run ./prog
        run "$root/usr/bin/make" -j2
        touch util.h
        run "$root/usr/bin/make" -j2 -s && ls ./*.o | tr '\n' ' ' && echo
        echo "rebuild exit status $?"
    } >got 2>&1
    ;;
*) fail "unknown workload $name" ;;
esac
if ! diff -u "$here/$name.expect" got; then
    fail "$name: the output differs from $name.expect"
fi
echo "$name: output as expected"
