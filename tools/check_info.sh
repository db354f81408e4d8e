#!/bin/sh
# check_info.sh VM IMPL - `VM_MEMOPS=IMPL vm info` must report IMPL as the memops in force when
# the host supports IMPL, and must fail with status 2 and a clear message when it does not.
# Exit 77 (a CTest skip) is not used: both outcomes are checked, whichever the host has.
set -u
vm=$1
impl=$2
supported=$("$vm" info | sed -n 's/^supported: *//p')
[ -n "$supported" ] || { echo "FAIL: 'vm info' printed no 'supported:' line"; exit 1; }
case " $supported " in
*" $impl "*)
    out=$(VM_MEMOPS=$impl "$vm" info) || { echo "FAIL: VM_MEMOPS=$impl vm info failed"; exit 1; }
    echo "$out" | grep -q "^memops: *$impl\$" || { echo "FAIL: memops is not $impl:"; echo "$out"; exit 1; }
    echo "PASS: VM_MEMOPS=$impl selects $impl (host supports: $supported)"
    ;;
*)
    err=$(VM_MEMOPS=$impl "$vm" info 2>&1 >/dev/null)
    status=$?
    [ "$status" -eq 2 ] || { echo "FAIL: unsupported $impl exited $status, want 2"; exit 1; }
    echo "$err" | grep -q "VM_MEMOPS=$impl: this host's CPU or OS cannot run it" ||
        { echo "FAIL: unclear message: $err"; exit 1; }
    echo "PASS: host lacks $impl (supports: $supported); vm info refuses it: $err"
    ;;
esac
