#!/bin/sh
# unimp.sh - unknown system calls are quiet: -ENOSYS with nothing on stderr by default (as
# Linux and qemu-riscv64), named once per number with --log=unimp, shown by --strace.
#   unimp.sh VM GUEST_BIN EXPECTED_STDOUT
vm=$1
bin=$2
expected=$3
fail=0
err=$(mktemp)
out=$(mktemp)
"$vm" run "$bin" >"$out" 2>"$err" || { echo "unimp: vm run failed"; fail=1; }
diff -u "$expected" "$out" || fail=1
if [ -s "$err" ]; then
    echo "unimp: stderr not empty by default:"
    cat "$err"
    fail=1
fi
"$vm" run --log=unimp "$bin" >"$out" 2>"$err" || { echo "unimp: vm run --log=unimp failed"; fail=1; }
diff -u "$expected" "$out" || fail=1
if [ "$(grep -c 'system call 500 ' "$err")" -ne 1 ]; then
    echo "unimp: --log=unimp should name 500 once:"
    cat "$err"
    fail=1
fi
if ! grep -q 'system call 4000' "$err"; then
    echo "unimp: --log=unimp should name 4000"
    fail=1
fi
"$vm" run --strace "$bin" >"$out" 2>"$err" || { echo "unimp: vm run --strace failed"; fail=1; }
if [ "$(grep -c '#500,.*errno 38' "$err")" -ne 2 ]; then
    echo "unimp: --strace should show both calls of 500 failing with ENOSYS:"
    cat "$err"
    fail=1
fi
if "$vm" run --log=bogus "$bin" >/dev/null 2>"$err"; then
    echo "unimp: --log=bogus accepted"
    fail=1
fi
grep -q "unknown --log kind 'bogus'" "$err" || { echo "unimp: no message for --log=bogus"; fail=1; }
rm -f "$err" "$out"
exit $fail
