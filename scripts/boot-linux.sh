#!/usr/bin/env bash
# boot-linux.sh - boot Debian's riscv64 Linux kernel on vm's virt machine with a busybox
# initramfs.
#
#   scripts/boot-linux.sh [--test] [VM [VM-RUN-OPTIONS...]]
#
# Fetches linux-image-riscv64 and busybox-static from Debian's archive (scripts/
# fetch-riscv64.sh, cached), builds an initramfs whose /init mounts /proc and /sys and then
# either starts a shell on the console (default: `make boot`) or, with --test, runs a short
# script (uname, /proc/cpuinfo, a pipeline, the date from the RTC) and powers off, printing
# "boot-linux: ok" when the guest's output and exit status are right and the console matches
# the same boot under qemu-system-riscv64 (filtered by the rule below; VM_BOOT_COMPARE=0 skips
# that part). Exit status: 0 done,
# 1 failure, 2 Debian's archive unreachable (callers skip), 3 the boot did not finish in time.
set -euo pipefail
cd "$(dirname "$0")/.."

test_mode=false
if [ "${1:-}" = "--test" ]; then
    test_mode=true
    shift
fi
vm=${1:-build/vm}
shift || true

. scripts/kernel.sh
fetch_kernel boot-linux

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/bin" "$work/root/proc" "$work/root/sys" "$work/root/dev"
cp "$sysroot/usr/bin/busybox" "$work/root/bin/busybox"
if $test_mode; then
    cat >"$work/root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
echo "guest: init running"
uname -s -m
uname -a
grep -m1 '^isa' /proc/cpuinfo
cat /proc/cpuinfo
echo "guest: pipeline $(seq 1 10 | tr '\n' ' ' | wc -w)"
echo "guest: year $(date +%Y)"
poweroff -f
EOF
else
    cat >"$work/root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
echo "vm: Debian's riscv64 kernel with a busybox shell; 'poweroff -f' ends the machine, Ctrl-A x ends vm"
setsid cttyhack sh
poweroff -f
EOF
fi
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

args=(run --machine=virt -m 1G -kernel "$kernel" -initrd "$work/initrd.gz"
      -append "console=ttyS0 quiet" "$@")
if ! $test_mode; then
    exec "$vm" "${args[@]}"
fi
set +e
timeout 600 "$vm" "${args[@]}" </dev/null >"$work/out" 2>&1
st=$?
set -e
cat "$work/out"
if [ $st -eq 124 ]; then
    echo "boot-linux: the boot did not finish within 600 s" >&2
    exit 3
fi
year=$(date +%Y)
for want in "guest: init running" "Linux riscv64" "rv64imafdc_zicntr_zicsr" "guest: pipeline 10" \
    "guest: year $year"; do
    if ! grep -q "$want" "$work/out"; then
        echo "boot-linux: missing from the console: $want" >&2
        exit 1
    fi
done
if [ $st -ne 0 ]; then
    echo "boot-linux: vm exited with $st, not the guest's poweroff status 0" >&2
    exit 1
fi

# The same boot under qemu-system-riscv64 (its own firmware, the same kernel, initramfs and
# command line): the console from the guest's first line on must be the same. The rule for
# lines that legitimately differ: kernel messages are dropped (they carry timestamps, and the
# two machines' devices and timings differ), and so are the /proc/cpuinfo lines that describe
# the machine rather than the kernel: `isa` and `hart isa` (each machine's own extensions: vm's
# device tree names what vm implements, qemu's has more, the hypervisor extension among them),
# `mmu` (the widest paging mode: vm has Sv57, qemu 7.2's default CPU Sv48) and `marchid` and
# `mimpid` (qemu reports its version there, vm 0). OpenSBI's banner comes before the guest's
# first line.
if [ "${VM_BOOT_COMPARE:-1}" = 0 ]; then
    echo "boot-linux: not compared with qemu-system-riscv64 (VM_BOOT_COMPARE=0)"
elif ! command -v qemu-system-riscv64 >/dev/null; then
    echo "boot-linux: not compared: qemu-system-riscv64 is not installed (Debian package qemu-system-misc)"
else
    set +e
    timeout 600 qemu-system-riscv64 -M virt -m 1G -smp 1 -nographic -bios default \
        -kernel "$kernel" -initrd "$work/initrd.gz" -append "console=ttyS0 quiet" \
        </dev/null >"$work/qemu.out" 2>&1
    qst=$?
    set -e
    if [ $qst -ne 0 ]; then
        cat "$work/qemu.out" >&2
        echo "boot-linux: qemu-system-riscv64 exited with $qst: not compared" >&2
        exit 1
    fi
    comparable() {
        tr -d '\r' <"$1" | sed -n '/^guest: init running/,$p' |
            grep -Ev '^\[ *[0-9]+\.[0-9]+\]|^(isa|hart isa|mmu|marchid|mimpid)[[:space:]]*:'
    }
    comparable "$work/out" >"$work/vm.cmp"
    comparable "$work/qemu.out" >"$work/qemu.cmp"
    if ! diff -u "$work/qemu.cmp" "$work/vm.cmp" >&2; then
        echo "boot-linux: the console differs from qemu-system-riscv64's (above: qemu's -, vm's +)" >&2
        exit 1
    fi
    echo "boot-linux: the console matches qemu-system-riscv64's ($(wc -l <"$work/vm.cmp") lines compared)"
fi
echo "boot-linux: ok"
