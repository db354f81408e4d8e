#!/bin/sh
# bad-elf.sh - malformed ELF files made at test time from a good guest program: vm must
# refuse each one with a message naming the problem and exit status 126, never crash.
#   bad-elf.sh VM GOOD_ELF WORKDIR [EXEC_PROG]
# With EXEC_PROG (exec.c), a running guest then execve's every malformed file: each call must
# fail with ENOEXEC and the guest must go on, as under Linux.
vm=$1
good=$2
work=$3
execprog=${4:-}
mkdir -p "$work"
fail=0
# patch FILE OFFSET HEXBYTES: overwrite bytes at OFFSET (decimal)
patch() {
    printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
check() { # name expected-message-part
    out=$("$vm" run "$work/$1" 2>&1)
    rc=$?
    case "$out" in
    *"$2"*) ;;
    *) echo "bad-elf: $1: message '$out' lacks '$2'"; fail=1 ;;
    esac
    if [ $rc -ne 126 ]; then
        echo "bad-elf: $1: exit status $rc, expected 126"
        fail=1
    fi
}
head -c 40 "$good" >"$work/short-header"
check short-header "too short"
head -c 100 "$good" >"$work/short-phdrs"
check short-phdrs "program headers"
head -c 3000 "$good" >"$work/short-segments"
check short-segments "end of the file"
cp "$good" "$work/bad-magic" && patch "$work/bad-magic" 1 'Z'
check bad-magic "magic"
cp "$good" "$work/x86" && patch "$work/x86" 18 '\076\000'
check x86 "RISC-V"
cp "$good" "$work/phoff" && patch "$work/phoff" 32 '\377\377\377\377\377\377\377\177'
check phoff "program headers"
cp "$good" "$work/phnum" && patch "$work/phnum" 56 '\377\377'
check phnum "absurd"
cp "$good" "$work/entry" && patch "$work/entry" 24 '\000\000\000\000\000\000\000\001'
check entry "entry point"
# a segment in the top 8 MiB, where the stack goes: refused, not silently replaced. The third
# program header is the data PT_LOAD in the cross toolchain's static programs.
cp "$good" "$work/top"
if [ "$(od -An -tx4 -j176 -N4 "$work/top" | tr -d ' ')" = "00000001" ]; then
    patch "$work/top" 192 '\250\075\307\377\077\000\000\000'
    check top "overlap the stack"
else
    echo "bad-elf: top: unexpected program header layout"
    fail=1
fi
if [ -n "$execprog" ]; then
    names="short-header short-phdrs short-segments bad-magic x86 phoff phnum entry top"
    files=""
    for n in $names; do
        chmod +x "$work/$n"
        files="$files $work/$n"
    done
    # shellcheck disable=SC2086
    out=$("$vm" run "$execprog" try $files 2>&1)
    rc=$?
    for n in $names; do
        case "$out" in
        *"execve $n: -1 ENOEXEC"*) ;;
        *) echo "bad-elf: execve $n from a guest: not ENOEXEC: $out"; fail=1 ;;
        esac
    done
    case "$out" in
    *"still running"*) ;;
    *) echo "bad-elf: the guest that called execve did not go on (status $rc): $out"; fail=1 ;;
    esac
    [ $rc -eq 0 ] || { echo "bad-elf: the guest ended with status $rc"; fail=1; }
fi
exit $fail
