#!/bin/sh
# uboot_virtio.sh VM UBOOT [VM-OPTIONS...] - U-Boot on the virt machine with a virtio-blk
# drive (a 4 MiB raw image whose sector 0 starts with "vm-virtio-disk!") and a virtio-rng:
# `virtio scan`, `virtio info`, `virtio read` of sector 0 and `md.b` of what it read, then
# poweroff (through uboot_session.sh). Prints the console and "exit=STATUS".
vm=$1 uboot=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
truncate -s 4M "$dir/disk.img"
printf 'vm-virtio-disk!' | dd of="$dir/disk.img" conv=notrunc 2>/dev/null
sh "$(dirname "$0")/uboot_session.sh" "$vm" "$uboot" \
    'virtio scan' 'virtio info' 'virtio read 0x84000000 0 1' 'md.b 0x84000000 0x10' -- \
    -drive "file=$dir/disk.img,format=raw,if=virtio" -device virtio-rng-device "$@"
