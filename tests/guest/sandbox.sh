#!/usr/bin/env bash
# sandbox.sh VM PROG EXPECTED [VM OPTIONS...] - escape attempts from inside `vm run --sandbox`:
# make a scratch box B (the program as /bin/self, a host binary as /bin/host-true, the riscv64
# C library when PROG is dynamic, /etc/hello) and a secret file and directory beside it, run
# PROG (built from sandbox.c) boxed, compare its stdout and status with EXPECTED, then check
# that nothing the guest made landed outside B.
#   sandbox.sh --probe VM PROG - run PROG boxed with VM_SANDBOX_PROBE=1: vm's seccomp filter
# must refuse its host calls (ptrace, process_vm_readv, an AF_INET socket, unshare) with EPERM
# (sanitizer builds allow ptrace, which LeakSanitizer needs), and Landlock, where the kernel
# has it, an execve of a host program with EACCES.
# Exits 77 when vm was built without libseccomp (it then refuses --sandbox).
set -u
probe=0
if [ "$1" = --probe ]; then
    probe=1
    shift
fi
vm=$1 prog=$2 expected=${3:-}
shift 3 2>/dev/null || shift 2
if "$vm" run --sandbox=/ /nonexistent 2>&1 | grep -q "without libseccomp"; then
    echo "sandbox: skipped: vm was built without libseccomp (libseccomp-dev)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
B=$tmp/box
mkdir -p "$B/bin" "$B/etc" "$B/tmp" "$B/lib" "$tmp/secret-dir"
cp "$prog" "$B/bin/self"
cp /bin/true "$B/bin/host-true"
echo inside >"$B/etc/hello"
echo SECRET >"$tmp/secret"
echo SECRET >"$tmp/secret-dir/f"
if file -L "$prog" 2>/dev/null | grep -q dynamic || ! grep -q static <<<"$prog"; then
    for f in ld-linux-riscv64-lp64d.so.1 libc.so.6; do
        cp -L "/usr/riscv64-linux-gnu/lib/$f" "$B/lib/$f" || exit 1
    done
fi
cd "$tmp" || exit 1
if [ $probe = 1 ]; then
    VM_SANDBOX_PROBE=1 "$vm" run --sandbox="$B" "$B/bin/self" 2>"$tmp/err"
    cat "$tmp/err"
    for call in "ptrace" "process_vm_readv" "socket(AF_INET)" "unshare"; do
        grep -qxF "vm: sandbox probe: $call: -1 Operation not permitted" "$tmp/err" ||
            grep -qxF "vm: sandbox probe: $call: allowed in sanitizer builds" "$tmp/err" ||
            { echo "FAIL: the seccomp filter let $call through"; exit 1; }
    done
    # Landlock (Linux 5.13 with ABI 2, 5.19): execution of anything but vm itself is refused
    if grep -qxF "vm: sandbox probe: landlock: not available" "$tmp/err"; then
        echo "sandbox: this kernel has no Landlock ABI 2: execve is left to vm's own rule"
    else
        grep -qxF "vm: sandbox probe: execve(/bin/true): Permission denied" "$tmp/err" ||
            { echo "FAIL: Landlock let vm execute /bin/true"; exit 1; }
    fi
    echo "sandbox: the seccomp filter refuses ptrace, process_vm_readv, socket(AF_INET), unshare"
    exit 0
fi
# in a session of its own (so that a signal to vm's process group that got out would reach
# no further than this), beside an unrelated process the guest must not reach
setsid --wait bash -c 'sleep 300 & s=$!
"$@" "$s"; st=$?
kill -0 "$s" 2>/dev/null && echo "the unrelated process lives"
kill "$s" 2>/dev/null
exit $st' _ "$vm" run --sandbox="$B" "$@" "$B/bin/self" "$tmp/secret" "$tmp/secret-dir" $$ \
    >"$tmp/got"
echo "exit status $?" >>"$tmp/got"
# what the guest created: in the box, not beside it
[ -L "$B/tmp/abs" ] || echo "missing in the box: /tmp/abs" >>"$tmp/got"
[ -e "$B/etc/vm-sandbox-created" ] || echo "missing in the box: /etc/vm-sandbox-created" >>"$tmp/got"
[ -e /etc/vm-sandbox-created ] && echo "created on the host: /etc/vm-sandbox-created" >>"$tmp/got"
[ -e "$B/hello2" ] || echo "missing in the box: /hello2" >>"$tmp/got"
[ "$(cat "$tmp/secret")" = SECRET ] || echo "the secret file changed" >>"$tmp/got"
[ "$(cat "$tmp/secret-dir/f")" = SECRET ] || echo "the secret directory changed" >>"$tmp/got"
[ "$(ls "$tmp/secret-dir")" = f ] || echo "the secret directory has new entries" >>"$tmp/got"
ls "$tmp" | grep -v -x -e box -e secret -e secret-dir -e got >>"$tmp/got"
diff -u "$expected" "$tmp/got" || { echo "FAIL: output differs from $expected"; exit 1; }
echo "sandbox: output as expected"
