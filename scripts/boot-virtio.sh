#!/usr/bin/env bash
# boot-virtio.sh - boot Debian's riscv64 kernel on vm's virt machine with three virtio-blk
# drives and a virtio-rng, and check what the guest did to the disks.
#
#   scripts/boot-virtio.sh [VM [VM-RUN-OPTIONS...]]
#
# The drives: a read-write image (the first drive, /dev/vda), a readonly=on image and a
# snapshot=on image, each starting with its own text in sector 0. The initramfs loads
# virtio_mmio, virtio_blk and virtio-rng from the kernel package (they are modules in Debian's
# kernel), and /init reads each disk's sector 0, writes a new text to sector 8 of every disk,
# syncs, reads the snapshot disk back, reads 32 bytes from /dev/hwrng and powers off. The host
# then checks: vda's sector 8 holds the text and its sector 0 is unchanged, the read-only and
# snapshot images are byte-for-byte unchanged, the guest saw the read-only write fail and the
# snapshot write succeed, and the rng bytes were not all zero. Prints "boot-virtio: ok".
# Exit status: 0 done, 1 failure, 2 Debian's archive unreachable (callers skip), 3 timeout.
set -euo pipefail
cd "$(dirname "$0")/.."

vm=${1:-build/vm}
shift || true

. scripts/kernel.sh
fetch_kernel boot-virtio

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
initramfs_root boot-virtio "$work/root" virtio_mmio virtio_blk virtio-rng
init_prologue >"$work/root/init"
cat >>"$work/root/init" <<'EOF'
sleep 1
echo "guest: disks $(ls /sys/block | grep vd | tr '\n' ' ')"
for d in /dev/vd?; do
    echo "guest: $d has $(dd if=$d bs=16 count=1 2>/dev/null) ro=$(cat /sys/block/${d#/dev/}/ro)"
done
for d in /dev/vd?; do
    if printf 'written-by-guest-%s' "${d#/dev/}" | dd of=$d bs=512 seek=8 conv=sync 2>/dev/null \
        && sync; then
        echo "guest: write $d ok"
    else
        echo "guest: write $d failed"
    fi
done
sync
echo 3 >/proc/sys/vm/drop_caches
for d in /dev/vd?; do
    echo "guest: reread $d $(dd if=$d bs=512 skip=8 count=1 2>/dev/null | head -c 20)"
done
echo "guest: rng $(cat /sys/class/misc/hw_random/rng_current) $(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | od -An -tx1 | tr -d ' \n')"
poweroff -f
EOF
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

# the images: 4 MiB each, a text in sector 0
for n in rw ro snap; do
    truncate -s 4M "$work/$n.img"
    printf 'disk-%-11s' "$n" | dd of="$work/$n.img" conv=notrunc 2>/dev/null
    cp "$work/$n.img" "$work/$n.orig"
done

set +e
timeout 600 "$vm" run --machine=virt -m 512M -kernel "$kernel" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 quiet" \
    -drive "file=$work/rw.img,format=raw,if=virtio" \
    -drive "file=$work/ro.img,format=raw,if=virtio,readonly=on" \
    -drive "file=$work/snap.img,format=raw,if=virtio,snapshot=on" \
    -device virtio-rng-device "$@" </dev/null >"$work/out" 2>&1
st=$?
set -e
cat "$work/out"
if [ $st -eq 124 ]; then
    echo "boot-virtio: the boot did not finish within 600 s" >&2
    exit 3
fi
fail=0
need() {
    if ! grep -qE "$1" "$work/out"; then
        echo "boot-virtio: missing from the console: $1" >&2
        fail=1
    fi
}
need "guest: /dev/vda has disk-rw +ro=0"
need "guest: /dev/vdb has disk-ro +ro=1"
need "guest: /dev/vdc has disk-snap +ro=0"
need "guest: write /dev/vda ok"
need "guest: write /dev/vdb failed"
need "guest: write /dev/vdc ok"
need "guest: reread /dev/vda written-by-guest-vda"
need "guest: reread /dev/vdc written-by-guest-vdc"
need "guest: rng virtio_rng[.0-9]* [0-9a-f]{64}"
if grep -qE "guest: rng .* (00){32}$" "$work/out"; then
    echo "boot-virtio: the rng gave zeros" >&2
    fail=1
fi
if ! cmp -s <(dd if="$work/rw.img" bs=512 count=1 2>/dev/null) \
    <(dd if="$work/rw.orig" bs=512 count=1 2>/dev/null); then
    echo "boot-virtio: sector 0 of the read-write image changed" >&2
    fail=1
fi
got=$(dd if="$work/rw.img" bs=512 skip=8 count=1 2>/dev/null | head -c 20)
if [ "$got" != "written-by-guest-vda" ]; then
    echo "boot-virtio: sector 8 of the read-write image holds '$got'" >&2
    fail=1
fi
for n in ro snap; do
    if ! cmp -s "$work/$n.img" "$work/$n.orig"; then
        echo "boot-virtio: the $n image changed" >&2
        fail=1
    fi
done
if [ $st -ne 0 ]; then
    echo "boot-virtio: vm exited with $st, not the guest's poweroff status 0" >&2
    fail=1
fi
[ $fail -eq 0 ] || exit 1
echo "boot-virtio: ok"
