#!/usr/bin/env bash
# boot-smp.sh - boot Debian's riscv64 Linux kernel with a busybox initramfs on vm's virt
# machine with several harts, and check that the guest sees and uses them.
#
#   scripts/boot-smp.sh [-n HARTS] [--stress PROGRAM] [--bench PROGRAM [--par K] [--args ARGS]]
#                       [--repeat] [--timeout S] [VM [VM-RUN-OPTIONS...]]
#
# The guest's /init prints `nproc` and the harts /proc/cpuinfo lists, which must both be
# HARTS (default 4). With --stress, /init also runs PROGRAM (a static riscv64 program; see
# tests/guest/smp_stress.c) and its last line must be "smp-stress: ok". With --bench,
# /init runs K copies of PROGRAM ARGS at once (default 2: a two-thread CPU-bound load) and
# prints the guest's time for them all (/proc/uptime before and after) as
# "boot-smp: bench N.NN s"; then only vm's exit status is checked. With --repeat (meant for
# VM-RUN-OPTIONS with --deterministic), vm boots the same kernel and initramfs a second time,
# and the two runs must print the same console output and retire the same instructions on
# every hart (--stats). --timeout gives each run S seconds (default 600; a boot under
# --engine=lockstep runs two machines, one of them interpreted, and compares them at every
# block). Prints "boot-smp: ok" when all is right.
# Exit status: 0 done, 1 failure, 2 Debian's archive unreachable (callers skip), 3 the boot
# did not finish in time.
set -euo pipefail
cd "$(dirname "$0")/.."

harts=4
stress=""
bench=""
repeat=""
par=2
bargs=""
limit=600
while [ $# -gt 0 ]; do
    case "$1" in
    -n) harts=$2; shift 2 ;;
    --stress) stress=$2; shift 2 ;;
    --bench) bench=$2; shift 2 ;;
    --par) par=$2; shift 2 ;;
    --args) bargs=$2; shift 2 ;;
    --repeat) repeat=1; shift ;;
    --timeout) limit=$2; shift 2 ;;
    *) break ;;
    esac
done
vm=${1:-build/vm}
shift || true

. scripts/kernel.sh
fetch_kernel boot-smp

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
cp "$sysroot/usr/bin/busybox" "$work/root/bin/busybox"
[ -n "$stress" ] && cp "$stress" "$work/root/bin/stress"
[ -n "$bench" ] && cp "$bench" "$work/root/bin/bench"
mkdir -p "$work/root/etc"
echo "par=$par bargs='$bargs'" >"$work/root/etc/bench.conf"
cat >"$work/root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "guest: nproc $(nproc)"
echo "guest: cpuinfo $(grep -c '^processor' /proc/cpuinfo)"
echo "guest: online $(cat /sys/devices/system/cpu/online)"
if [ -x /bin/stress ]; then
    /bin/stress
fi
if [ -x /bin/bench ]; then
    . /etc/bench.conf
    t0=$(cut -d' ' -f1 /proc/uptime)
    for i in $(seq $par); do /bin/bench $bargs & done
    wait
    t1=$(cut -d' ' -f1 /proc/uptime)
    echo "boot-smp: bench $(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}') s"
fi
poweroff -f
EOF
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

args=(run --machine=virt -m 1G -smp "$harts" -kernel "$kernel" -initrd "$work/initrd.gz"
      -append "console=ttyS0 quiet" "$@")
[ -n "$repeat" ] && args+=(--stats)
set +e
timeout "$limit" "$vm" "${args[@]}" </dev/null >"$work/out" 2>"$work/err"
st=$?
if [ -n "$repeat" ] && [ $st -eq 0 ]; then
    timeout "$limit" "$vm" "${args[@]}" </dev/null >"$work/out.2" 2>"$work/err.2"
    st2=$?
fi
set -e
counts() { # the counters two deterministic runs must share
    grep -E '^stats: (instructions retired|harts take turns|hart [0-9]+: [0-9]+ instructions)' "$1" |
        sed -E 's/, [0-9.]+ s thread CPU//; s/ \([0-9.]+ s asleep\)//'
}
if [ -n "$repeat" ] && [ $st -eq 0 ]; then
    counts "$work/err"
    if [ $st2 -ne 0 ] || ! cmp -s "$work/out" "$work/out.2" ||
        [ "$(counts "$work/err")" != "$(counts "$work/err.2")" ]; then
        echo "boot-smp: the second run differs (exit $st2):" >&2
        diff "$work/out" "$work/out.2" >&2 || true
        diff <(counts "$work/err") <(counts "$work/err.2") >&2 || true
        exit 1
    fi
    echo "boot-smp: the second run is the same run"
else
    cat "$work/err" >>"$work/out"
fi
tr -d '\r' <"$work/out" >"$work/out2" && mv "$work/out2" "$work/out"
cat "$work/out"
if [ $st -eq 124 ]; then
    echo "boot-smp: the boot did not finish within $limit s" >&2
    exit 3
fi
[ -n "$bench" ] && exit $st
for want in "guest: nproc $harts" "guest: cpuinfo $harts"; do
    if ! grep -q "^$want\$" "$work/out"; then
        echo "boot-smp: missing from the console: $want" >&2
        exit 1
    fi
done
if [ -n "$stress" ] && ! grep -q "^smp-stress: ok" "$work/out"; then
    echo "boot-smp: the stress program did not end with 'smp-stress: ok'" >&2
    exit 1
fi
if [ $st -ne 0 ]; then
    echo "boot-smp: vm exited with $st, not the guest's poweroff status 0" >&2
    exit 1
fi
echo "boot-smp: ok"
