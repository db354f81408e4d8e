#!/usr/bin/env bash
# boot-console.sh - boot Debian's riscv64 kernel on vm's virt machine with a virtio-console and
# check both of its directions on /dev/hvc0.
#
#   scripts/boot-console.sh [VM [VM-RUN-OPTIONS...]]
#
# The kernel runs with `console=hvc0 console=ttyS0`: the UART stays /dev/console (so /init's
# own output and the early messages appear before the virtio driver exists), and the kernel
# also prints on hvc0 once it is there. The initramfs loads virtio_mmio and virtio_console
# (modules in Debian's kernel; either may be built in). /init opens /dev/hvc0, writes a known
# line through it, then a "ready" line, and reads one line from it. The host feeds vm's stdin
# through a FIFO and writes its line only after "ready" appeared, since console input goes to
# the UART until the virtio console's driver has posted a receive buffer (docs/system.md).
# /init echoes what it read through /dev/hvc0 and powers off. Prints "boot-console: ok".
# Exit status: 0 done, 1 failure, 2 Debian's archive unreachable (callers skip), 3 timeout.
set -euo pipefail
cd "$(dirname "$0")/.."

vm=${1:-build/vm}
shift || true

. scripts/kernel.sh
fetch_kernel boot-console

work=$(mktemp -d)
vmpid=
cleanup() {
    if [ -n "$vmpid" ]; then kill "$vmpid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
# virtio_mmio before virtio_console (kernel_modules numbers them in that order): the console
# binds to the transport it finds
initramfs_root boot-console "$work/root" virtio_mmio virtio_console
init_prologue >"$work/root/init"
cat >>"$work/root/init" <<'EOF'
i=0
while [ ! -c /dev/hvc0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
echo "guest: uart sees $(cat /sys/class/tty/hvc0/dev 2>/dev/null || echo no-hvc0)"
exec 3<>/dev/hvc0
stty -echo <&3 2>/dev/null
echo "guest-hvc: hello through hvc0" >&3
echo "guest-hvc: ready" >&3
read -r line <&3
echo "guest-hvc: got [$line]" >&3
echo "guest: done"
poweroff -f
EOF
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

mkfifo "$work/in"
exec 4<>"$work/in" # held open: vm sees no end of input while the guest runs
timeout 600 "$vm" run --machine=virt -m 512M -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=hvc0 console=ttyS0 quiet" -device virtio-console-device "$@" \
    <"$work/in" >"$work/out" 2>&1 &
vmpid=$!
fed=0
while kill -0 "$vmpid" 2>/dev/null; do
    if [ $fed -eq 0 ] && grep -q "guest-hvc: ready" "$work/out"; then
        printf 'host-line-42\n' >&4
        fed=1
    fi
    sleep 0.2
done
set +e
wait "$vmpid"
st=$?
set -e
vmpid=
exec 4>&-
cat "$work/out"
if [ $st -eq 124 ]; then
    echo "boot-console: the boot did not finish within 600 s" >&2
    exit 3
fi
fail=0
need() {
    if ! grep -qE "$1" "$work/out"; then
        echo "boot-console: missing from the console: $1" >&2
        fail=1
    fi
}
need "guest: uart sees [0-9]+:[0-9]+"
need "guest-hvc: hello through hvc0"
need "guest-hvc: got \[host-line-42\]"
need "guest: done"
if [ $st -ne 0 ]; then
    echo "boot-console: vm exited with $st, not the guest's poweroff status 0" >&2
    fail=1
fi
[ $fail -eq 0 ] || exit 1
echo "boot-console: ok"
