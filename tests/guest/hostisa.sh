#!/bin/sh
# hostisa.sh VM PROG: the JIT takes the host's instruction set from the C library's CPU probe
# (mem_host_isa in src/mem/host_arch.h), not from CPUID of its own: with
# GLIBC_TUNABLES=glibc.cpu.hwcaps=-BMI2 no rorx is in the translated code of PROG's rotations,
# where the default run has some; both runs print the same.
vm=$1 prog=$2
if ! grep -qw bmi2 /proc/cpuinfo; then
    echo "skipped: this host has no BMI2"
    exit 0
fi
d=$(mktemp -d) || exit 1
trap 'rm -rf "$d"' EXIT
"$vm" run --jit-dump "$prog" >"$d/out.default" 2>"$d/dump.default" || exit 1
GLIBC_TUNABLES=glibc.cpu.hwcaps=-BMI2 "$vm" run --jit-dump "$prog" >"$d/out.masked" \
    2>"$d/dump.masked" || exit 1
n=$(grep -c ' rorx ' "$d/dump.default")
m=$(grep -c ' rorx ' "$d/dump.masked")
same=differs
cmp -s "$d/out.default" "$d/out.masked" && same=same
echo "rorx: default $n, masked $m; output $same"
