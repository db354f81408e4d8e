#!/usr/bin/env bash
# debian-image.sh - build a bootable Debian sid riscv64 root file system (an ext4 image) from
# Debian's packages, without root on the host, with the packages configured inside vm.
#
#   scripts/debian-image.sh [--rebuild] [VM [VM-RUN-OPTIONS...]]
#
# Prints the image's path on stdout; the initramfs that boots it lies beside it
# (IMAGE minus .img plus .initrd.gz) and the kernel is the cached one of kernel.sh. The image
# is cached in $VM_DEBIAN_CACHE (default ~/.cache/vm/debian) under a name keyed by its inputs
# (the initramfs's /init, the configure script, dpkg-unpacked.py, the package selection, the
# size, the kernel's version): it is built again only when one of those changes, or with
# --rebuild (which also takes the archive's newest packages). A lock serialises concurrent
# runs on one cache.
#
# The stages (each one's wall time is printed on stderr):
#  1. unpack (host): debootstrap --foreign under fakeroot resolves the packages of priority
#     "required", plus apt, systemd-sysv, udev and kmod, downloads them (kept in the cache's
#     debs/ for the next build) and unpacks them; scripts/dpkg-unpacked.py records them in
#     dpkg's database as unpacked and not configured; the kernel's modules are copied into
#     /usr/lib/modules. No maintainer script runs on the host.
#  2. image (host): `mke2fs -t ext4 -d` turns the tree into a sparse image file; fakeroot
#     gives its files the owners and device nodes that the packages asked for.
#  3. configure (guest): vm boots Debian's kernel with the initramfs (scripts/debian-init.sh),
#     which loads the virtio and ext4 modules, mounts /dev/vda and, since the command line
#     says vm.firstboot, runs /vm-firstboot (scripts/debian-firstboot.sh) chrooted into it:
#     the preinst scripts, `dpkg --configure -a`, then the machine's settings (root's
#     password "root", the host name "debian", /etc/fstab, module dependencies). The
#     initramfs unmounts the disk and powers off; the image is kept only when the guest said
#     that every step succeeded.
#
# After that, booting the image without vm.firstboot (scripts/boot-debian.sh) mounts /dev/vda
# and switch_roots to systemd, which starts a getty on the console (ttyS0).
#
# Exit status: 0 done, 1 failure, 2 Debian's archive unreachable (callers skip), 3 the
# configure stage did not finish in time.
set -euo pipefail
cd "$(dirname "$0")/.."

rebuild=0
if [ "${1:-}" = "--rebuild" ]; then
    rebuild=1
    shift
fi
vm=${1:-build/vm}
shift || true

say() { echo "debian-image: $*" >&2; }
for tool in debootstrap fakeroot mke2fs cpio xz; do
    if ! command -v $tool >/dev/null && [ ! -x /usr/sbin/$tool ]; then
        say "$tool is missing (scripts/deps.sh installs it)"
        exit 1
    fi
done
PATH=$PATH:/usr/sbin:/sbin

. scripts/kernel.sh
fetch_kernel debian-image
kver=$(basename "$moddir")

cache=${VM_DEBIAN_CACHE:-${HOME:-/tmp}/.cache/vm/debian}
mkdir -p "$cache/debs"
cache=$(cd "$cache" && pwd)
# the inputs: what decides the image's contents (a change to the way it is built that these
# do not show bumps "format")
include=systemd-sysv,udev,kmod
size=${VM_DEBIAN_SIZE:-2G}
recipe="format=1 suite=sid variant=minbase include=$include size=$size kernel=$kver"
key=$(cat scripts/debian-init.sh scripts/debian-firstboot.sh scripts/dpkg-unpacked.py \
    <(echo "$recipe") | sha256sum | cut -c1-16)
img=$cache/debian-$key.img
initrd=$cache/debian-$key.initrd.gz
exec 9>"$cache/lock"
flock -w 3600 9 || {
    say "timed out waiting for the lock on $cache"
    exit 1
}
if [ $rebuild -eq 0 ] && [ -s "$img" ] && [ -s "$initrd" ]; then
    echo "$img"
    exit 0
fi
rm -f "$cache"/debian-*.img "$cache"/debian-*.initrd.gz
work=$cache/build
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
mirror=${VM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# the initramfs: busybox, the modules for the disk, /init
kernel_modules debian-image "$work/initramfs/lib" virtio_mmio virtio_blk ext4
mkdir -p "$work/initramfs/bin" "$work/initramfs/proc" "$work/initramfs/sys" \
    "$work/initramfs/dev" "$work/initramfs/root"
cp "$sysroot/usr/bin/busybox" "$work/initramfs/bin/busybox"
cp scripts/debian-init.sh "$work/initramfs/init"
chmod +x "$work/initramfs/init"
(cd "$work/initramfs" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

# 1. unpack
t=$(now)
say "stage 1: debootstrap --foreign (sid, riscv64)"
root=$work/root
set +e
fakeroot -s "$work/fakeroot.state" debootstrap --foreign --arch=riscv64 --variant=minbase \
    --include=$include --cache-dir="$cache/debs" \
    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg sid "$root" "$mirror" \
    >"$work/debootstrap.log" 2>&1
st=$?
set -e
if [ $st -ne 0 ]; then
    tail -n 5 "$work/debootstrap.log" | sed 's/^/  /' >&2
    if grep -qE "Failed getting release file|Temporary failure|Could not resolve|couldn't download" \
        "$work/debootstrap.log"; then
        say "Debian's archive cannot be reached"
        exit 2
    fi
    say "debootstrap's first stage failed"
    exit 1
fi
npkg=$(cat "$root/debootstrap/required" "$root/debootstrap/base" | wc -w)
nreq=$(wc -w <"$root/debootstrap/required")
cat >"$work/settings.sh" <<EOF
set -e
# debootstrap's first stage leaves /proc a link to the host's /proc
rm -f "$root/proc"
mkdir -p "$root/proc"
mkdir -p "$root/usr/lib/modules"
cp -a "$moddir" "$root/usr/lib/modules/"
rm -f "$root/usr/lib/modules/$kver/vmlinuz"
chown -R 0:0 "$root/usr/lib/modules/$kver" "$root/vm-firstboot" "$root/etc/dpkg/dpkg.cfg.d/vm-unsafe-io"
EOF
cp scripts/debian-firstboot.sh "$root/vm-firstboot"
chmod +x "$root/vm-firstboot"
# dpkg skips its fsync()s while the configure stage runs (the image is thrown away unless the
# stage completes, so a crash cannot leave a half-written system behind); removed at its end
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/vm-unsafe-io"
fakeroot -i "$work/fakeroot.state" -s "$work/fakeroot.state" bash "$work/settings.sh"
# debootstrap --foreign has extracted the required packages; the rest are only downloaded
debs=()
: >"$root/.vm-unpacked"
for p in $(cat "$root/debootstrap/required" "$root/debootstrap/base"); do
    path=$(awk -v p="$p" '$1 == p { print $2 }' "$root/debootstrap/debpaths")
    if [ -z "$path" ]; then
        say "debootstrap left no package file for $p"
        exit 1
    fi
    debs+=("$root$path")
    if grep -qx "$p" <(tr ' ' '\n' <"$root/debootstrap/required"); then
        basename "$path" >>"$root/.vm-unpacked"
    fi
done
fakeroot -i "$work/fakeroot.state" -s "$work/fakeroot.state" \
    python3 scripts/dpkg-unpacked.py "$root" "${debs[@]}"
rm -rf "$root/debootstrap" "$root/.vm-unpacked"
rm -f "$root"/var/cache/apt/archives/*.deb
say "stage 1: $npkg packages ($nreq required) unpacked in $(took "$t")"

# 2. image
t=$(now)
fakeroot -i "$work/fakeroot.state" mke2fs -q -t ext4 -L debian -d "$root" -F "$work/debian.img" >&2 \
    "$size"
say "stage 2: ext4 image ($(du -h "$work/debian.img" | cut -f1) used of $size) in $(took "$t")"
rm -rf "$root"

# 3. configure
t=$(now)
say "stage 3: configuring the packages inside vm"
set +e
timeout "${VM_DEBIAN_TIMEOUT:-3600}" "$vm" run --machine=virt -m 1G -kernel "$kernel" \
    -initrd "$work/initrd.gz" -append "console=ttyS0 quiet vm.firstboot" \
    -drive "file=$work/debian.img,format=raw,if=virtio" "$@" </dev/null >"$work/firstboot.log" 2>&1
st=$?
set -e
grep -E "^(firstboot|initramfs):" "$work/firstboot.log" | sed 's/^/  /' >&2 || true
if [ $st -eq 124 ]; then
    say "the configure stage did not finish in time; its console:"
    tail -n 30 "$work/firstboot.log" | sed 's/^/  /' >&2
    exit 3
fi
if [ $st -ne 0 ] || ! grep -q "^firstboot: done" "$work/firstboot.log" ||
    ! grep -q "configure stage exited with 0" "$work/firstboot.log"; then
    say "the configure stage failed (vm exited with $st); its console:"
    tail -n 40 "$work/firstboot.log" | sed 's/^/  /' >&2
    exit 1
fi
say "stage 3: configured in $(took "$t")"
mv "$work/initrd.gz" "$initrd"
mv "$work/debian.img" "$img"
echo "$img"
