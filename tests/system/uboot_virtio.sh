#!/bin/sh
# uboot_virtio.sh VM UBOOT [VM-OPTIONS...] - U-Boot on the virt machine with a virtio-blk
# drive (a 4 MiB raw image whose sector 0 starts with "vm-virtio-disk!") and a virtio-rng:
# `virtio scan`, `virtio info`, `virtio read` of sector 0 and `md.b` of what it read, then
# poweroff. Lines are sent once the console shows the prompt again. Prints the console and
# "exit=STATUS".
vm=$1 uboot=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/in"
: >"$dir/out"
truncate -s 4M "$dir/disk.img"
printf 'vm-virtio-disk!' | dd of="$dir/disk.img" conv=notrunc 2>/dev/null
# wait_for N: until the console shows the prompt N times (at most about 150 s)
wait_for() {
    n=0
    while [ "$(grep -o '=> ' "$dir/out" | wc -l)" -lt "$1" ]; do
        n=$((n + 1))
        [ $n -gt 1500 ] && return 1
        sleep 0.1
    done
}
{
    n=0
    while ! grep -q 'Hit any key' "$dir/out"; do
        n=$((n + 1))
        [ $n -gt 1500 ] && break
        sleep 0.1
    done
    printf '\n'
    wait_for 1 && printf 'virtio scan\n' &&
        wait_for 2 && printf 'virtio info\n' &&
        wait_for 3 && printf 'virtio read 0x84000000 0 1\n' &&
        wait_for 4 && printf 'md.b 0x84000000 0x10\n' &&
        wait_for 5 && printf 'poweroff\n'
    sleep 30 # keep the console open until the machine is off
} >"$dir/in" &
writer=$!
"$vm" run --machine=virt -kernel "$uboot" --max-insns=8000000000 \
    -drive "file=$dir/disk.img,format=raw,if=virtio" -device virtio-rng-device "$@" \
    <"$dir/in" >"$dir/out" 2>&1
st=$?
kill $writer 2>/dev/null
cat "$dir/out"
echo "exit=$st"
