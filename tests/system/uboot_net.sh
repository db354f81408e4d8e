#!/bin/sh
# uboot_net.sh VM UBOOT [VM-OPTIONS...] - U-Boot on the virt machine with a virtio-net card on
# user-mode networking: `dhcp` (without loading a file) must get 10.0.2.15 from slirp, and
# `ping 10.0.2.2` (slirp's host address) must be answered; then poweroff. Lines are sent once
# the console shows the prompt again. Prints the console and "exit=STATUS" (77 when vm was
# built without libslirp).
vm=$1 uboot=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/in"
: >"$dir/out"
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
    wait_for 1 && printf 'setenv autoload no\n' &&
        wait_for 2 && printf 'dhcp\n' &&
        wait_for 3 && printf 'ping 10.0.2.2\n' &&
        wait_for 4 && printf 'poweroff\n'
    sleep 30 # keep the console open until the machine is off
} >"$dir/in" &
writer=$!
"$vm" run --machine=virt -kernel "$uboot" --max-insns=8000000000 \
    -netdev user,id=n0 -device virtio-net-device,netdev=n0 "$@" <"$dir/in" >"$dir/out" 2>&1
st=$?
kill $writer 2>/dev/null
cat "$dir/out"
if grep -q "user-mode networking is not built in" "$dir/out"; then
    echo "uboot_net: skipped: vm was built without libslirp"
    exit 77
fi
echo "exit=$st"
