#!/usr/bin/env bash
# run.sh - one real riscv64 program from Debian, run on the same workload under vm and under
# qemu-riscv64: stdout and exit status must be identical, and the output must contain the
# strings listed in NAME.expect (so that two empty or equally broken outputs cannot pass).
#
#   tests/real/run.sh VM NAME      (NAME: busybox, lua, sqlite, python, tools: see workload)
#   tests/real/run.sh --fetch NAME...   only make sure the sysroot holds their packages
#
# The packages come from scripts/fetch-riscv64.sh (cached; $VM_CACHE overrides the cache
# folder). Exit status 77 (CTest's SKIP_RETURN_CODE) when the archive cannot be reached or
# qemu-riscv64 is missing, with the reason on stdout. Each emulator runs in its own fresh
# scratch folder with the same files and the same small environment.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fetch=$here/../../scripts/fetch-riscv64.sh
skip() {
    echo "SKIPPED: $*"
    exit 77
}
fail() {
    echo "FAIL: $*"
    exit 1
}

# NAME -> Debian packages, command line (relative to the sysroot for the program), stdin file
workload() {
    case $1 in
    busybox)
        pkgs=(busybox-static)
        files=(busybox.sh)
        cmd=(usr/bin/busybox sh busybox.sh)
        input=/dev/null
        ;;
    lua)
        pkgs=(lua5.4)
        files=(workload.lua)
        cmd=(usr/bin/lua5.4 workload.lua first "second arg")
        input=/dev/null
        ;;
    sqlite)
        pkgs=(sqlite3)
        files=(workload.sql)
        cmd=(usr/bin/sqlite3 -batch test.db)
        input=workload.sql
        ;;
    python)
        pkgs=(python3-minimal)
        files=(workload.py)
        cmd=(usr/bin/python3 workload.py arg)
        input=/dev/null
        ;;
    tools)
        pkgs=(coreutils gawk perl-base)
        files=(tools.list)
        cmd=(LIST tools.list)
        input=/dev/null
        ;;
    *) fail "unknown workload $1" ;;
    esac
}

sysroot() {
    local out rc
    out=$("$fetch" "$@")
    rc=$?
    [ $rc -eq 2 ] && skip "riscv64 packages cannot be fetched from Debian's archive (no network?)"
    [ $rc -eq 0 ] || fail "scripts/fetch-riscv64.sh $* failed (status $rc)"
    root=$(echo "$out" | tail -n 1)
}

if [ "${1:-}" = "--fetch" ]; then
    shift
    all=()
    for n in "$@"; do
        workload "$n"
        all+=("${pkgs[@]}")
    done
    sysroot "${all[@]}"
    echo "sysroot ready: ${all[*]}"
    exit 0
fi

[ $# -eq 2 ] || [ $# -eq 3 ] || fail "usage: $0 VM NAME [--sandbox]"
vm=$(realpath "$1")
name=$2
sandbox=${3:-}
qemu=$(command -v qemu-riscv64) || skip "qemu-riscv64 is not installed (package qemu-user)"
timeout=$(command -v timeout) || fail "timeout (coreutils) is missing"
workload "$name"
sysroot "${pkgs[@]}"
prog=$root/${cmd[0]}
[ "${cmd[0]}" = LIST ] || [ -x "$prog" ] || fail "$prog missing after unpacking ${pkgs[*]}"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# PATH holds busybox's applets, as on a riscv64 system: for vm, links to the busybox binary
# (vm execs riscv64 programs itself); for qemu-riscv64, which without binfmt_misc cannot
# execve a riscv64 program (busybox re-executes /proc/self/exe for most applets, then
# searches PATH), host wrappers that run the applet under qemu. Same PATH string for both.
# path_for MODE: fill $tmp/bin with links (vm) or wrappers (qemu)
path_for() {
    rm -rf "$tmp/bin"
    mkdir "$tmp/bin"
    [ "$name" = busybox ] || return 0
    local target=$root/usr/bin/busybox a
    if [ "$1" = qemu ]; then
        printf '#!/bin/sh\nexec %s -L %s %s "${0##*/}" "$@"\n' "$qemu" "$root" "$target" \
            >"$tmp/bin/.applet"
        chmod +x "$tmp/bin/.applet"
        target=.applet
    fi
    for a in $applets; do
        ln -s "$target" "$tmp/bin/$a"
    done
}
[ "$name" = busybox ] && applets=$("$qemu" "$root/usr/bin/busybox" --list)

# run_list LABEL EMULATOR...: every line of ${cmd[1]} (a program in the sysroot's /usr/bin
# and its arguments) on its own, in order, in one scratch folder; each line's stdout follows
# a header and is followed by its exit status. Returns the number of lines that timed out.
run_list() {
    local label=$1 line words bad=0 st
    shift
    : >"$tmp/$label.out"
    : >"$tmp/$label.err"
    while IFS= read -r line; do
        case $line in '' | '#'*) continue ;; esac
        eval "words=($line)"
        echo "== $line" >>"$tmp/$label.out"
        (cd "$tmp/$label" && env -i PATH="${gpath:-$tmp/bin}" HOME=/ LC_ALL=C TZ=UTC \
            "$timeout" 120 "$@" "$root/usr/bin/${words[0]}" "${words[@]:1}" </dev/null \
            >>"$tmp/$label.out" 2>>"$tmp/$label.err")
        st=$?
        echo "== status $st" >>"$tmp/$label.out"
        [ $st -eq 124 ] && bad=$((bad + 1))
    done <"$here/${cmd[1]}"
    return $bad
}

# run LABEL EMULATOR...: the workload in scratch folder $tmp/LABEL; sets rc_LABEL, t_LABEL
run() {
    local label=$1
    shift
    mkdir "$tmp/$label"
    for f in "${files[@]}"; do
        cp "$here/$f" "$tmp/$label/"
    done
    local t0 t1 rc
    t0=$(date +%s%N)
    if [ "${cmd[0]}" = LIST ]; then
        run_list "$label" "$@"
        rc=$?
    else
        (cd "$tmp/$label" && env -i PATH="${gpath:-$tmp/bin}" HOME=/ LC_ALL=C TZ=UTC \
            "$timeout" 300 "$@" "$prog" "${cmd[@]:1}" <"$input" >"$tmp/$label.out" \
            2>"$tmp/$label.err")
        rc=$?
    fi
    t1=$(date +%s%N)
    eval "rc_$label=$rc"
    eval "t_$label=$(((t1 - t0) / 1000000))"
}
path_for qemu
run qemu "$qemu" -L "$root"
path_for vm
# vm's engine ($VM_ENGINE, set per CTest case) survives the scrubbed environment; the guest
# sees it too, so that the programs it execs (vm re-executes itself) keep the same engine
engine=()
# (env by its host path: the guest's PATH holds a riscv64 busybox "env")
[ -n "${VM_ENGINE:-}" ] && engine=("$(command -v env)" "VM_ENGINE=$VM_ENGINE")
[ -n "${VM_JIT_IR:-}" ] && engine=("$(command -v env)" "VM_ENGINE=${VM_ENGINE:-jit}" "VM_JIT_IR=$VM_JIT_IR")
if [ "$sandbox" = --sandbox ]; then
    # vm run --sandbox=SYSROOT: the guest sees only the sysroot, so its scratch folder and the
    # PATH of applet links are made inside it (under its /tmp) and named in guest terms
    if "$vm" run --sandbox=/ /nonexistent 2>&1 | grep -q "without libseccomp"; then
        skip "vm was built without libseccomp: no --sandbox"
    fi
    mkdir -p "$root/tmp"
    # the user and group names (ls -l, id): qemu-riscv64 -L falls back to the host's files,
    # a sandboxed guest reads the sysroot's, so the sysroot gets copies (written atomically:
    # the cache is shared)
    for f in passwd group; do
        if [ ! -e "$root/etc/$f" ]; then
            cp "/etc/$f" "$root/etc/.$f.$$" && mv -f "$root/etc/.$f.$$" "$root/etc/$f"
        fi
    done
    box=$(mktemp -d -p "$root/tmp" vm-sandbox.XXXXXX)
    trap 'rm -rf "$tmp" "$box"' EXIT
    host_tmp=$tmp
    tmp=$box
    gpath=${box#"$root"}/bin
    mkdir "$tmp/bin"
    if [ "$name" = busybox ]; then
        for a in $applets; do
            ln -s /usr/bin/busybox "$tmp/bin/$a"
        done
    fi
    run vm "${engine[@]}" "$vm" run --sandbox="$root"
    tmp=$host_tmp
    cp "$box/vm.out" "$box/vm.err" "$tmp/"
else
    run vm "${engine[@]}" "$vm" run -L "$root"
fi
echo "$name${sandbox:+ $sandbox}: vm${VM_ENGINE:+ ($VM_ENGINE)} ${t_vm} ms, qemu-riscv64 ${t_qemu} ms; exit status vm $rc_vm, qemu $rc_qemu;" \
    "$(wc -l <"$tmp/qemu.out") lines"

ok=1
if ! cmp -s "$tmp/qemu.out" "$tmp/vm.out"; then
    echo "stdout differs (--- qemu-riscv64, +++ vm):"
    diff -u "$tmp/qemu.out" "$tmp/vm.out" | head -60
    ok=0
fi
if [ "$rc_vm" != "$rc_qemu" ]; then
    echo "exit status differs: vm $rc_vm, qemu-riscv64 $rc_qemu"
    ok=0
fi
while IFS= read -r want; do
    [ -z "$want" ] && continue
    if ! grep -qF -- "$want" "$tmp/vm.out"; then
        echo "expected string missing from vm's output: $want"
        ok=0
    fi
done <"$here/$name.expect"
if [ $ok = 0 ]; then
    echo "--- stderr of vm:"
    head -20 "$tmp/vm.err"
    echo "--- stderr of qemu-riscv64:"
    head -20 "$tmp/qemu.err"
    fail "$name: vm and qemu-riscv64 disagree"
fi
echo "PASS: $name identical under vm and qemu-riscv64"
