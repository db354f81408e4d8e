#!/usr/bin/env bash
# boot-debian.sh - boot the Debian riscv64 system of scripts/debian-image.sh on vm's virt
# machine: Debian's kernel, an initramfs that loads the virtio and ext4 modules and
# switch_roots to systemd on /dev/vda, and systemd's login prompt on the console (ttyS0).
#
#   scripts/boot-debian.sh [--test] [--qemu] [VM [VM-RUN-OPTIONS...]]
#
# Without --test (`make debian`): boots a copy of the cached image with the console on the
# terminal; log in as root, password root. The copy (debian.img in the cache) persists
# across boots; Ctrl-A x ends vm.
#
# --test (`make test-system`): boots a fresh copy of the image with vm's stdin fed through a
# FIFO, waits for the login prompt (printing the time it took), logs in as root on the
# console, prints `systemctl is-system-running --wait` (naming the failed units when it says
# degraded), runs `apt-get --version`, writes a file, syncs and powers off. The host then
# reads the file back from the image with debugfs and checks the file system with
# `e2fsck -fn`. Every wait is bounded. --qemu runs the same boot under qemu-system-riscv64
# (same kernel, initramfs, image copy, memory and one hart), to compare the times.
# Prints "boot-debian: ok" and a line "boot-debian: login prompt after N s".
#
# Environment: BOOT_DEBIAN_TIMEOUT bounds the whole run in seconds (default 1200),
# BOOT_DEBIAN_KEEP=1 keeps the work directory (console log, image copy).
#
# Exit status: 0 done, 1 failure, 2 Debian's archive unreachable (callers skip), 3 timeout.
set -euo pipefail
cd "$(dirname "$0")/.."

test_mode=0
qemu=0
while [ $# -gt 0 ]; do
    case $1 in
    --test) test_mode=1; shift ;;
    --qemu) qemu=1; shift ;;
    -h | --help)
        # the usage is the comment block at the top of this file
        sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' scripts/boot-debian.sh
        exit 0
        ;;
    --*)
        echo "boot-debian: unknown option $1 (try --help)" >&2
        exit 1
        ;;
    *) break ;;
    esac
done
vm=${1:-build/vm}
shift || true
PATH=$PATH:/usr/sbin:/sbin

. scripts/kernel.sh
fetch_kernel boot-debian
set +e
img=$(scripts/debian-image.sh "$vm" "$@")
st=$?
set -e
[ $st -eq 0 ] || exit $st
initrd=${img%.img}.initrd.gz
# a loaded host stretches the guest's boot in wall-clock time, which is what systemd's
# timeouts count: the console's getty waits for /dev/ttyS0 up to 10 minutes, not 90 s
append="console=ttyS0 quiet systemd.default_device_timeout_sec=600 systemd.default_timeout_start_sec=600"
mem=1G

if [ $test_mode -eq 0 ]; then
    disk=$(dirname "$img")/debian.img
    if [ ! -e "$disk" ] || [ "$img" -nt "$disk" ]; then
        cp --sparse=always "$img" "$disk"
    fi
    echo "vm: Debian sid riscv64 on $disk; log in as root (password root); 'poweroff' ends the machine, Ctrl-A x ends vm"
    if [ $qemu -eq 1 ]; then
        exec qemu-system-riscv64 -M virt -m "$mem" -smp 1 -nographic -bios default \
            -kernel "$kernel" -initrd "$initrd" -append "$append" \
            -drive "file=$disk,format=raw,if=virtio"
    fi
    exec "$vm" run --machine=virt -m "$mem" -kernel "$kernel" -initrd "$initrd" -append "$append" \
        -drive "file=$disk,format=raw,if=virtio" "$@"
fi

work=$(mktemp -d)
vmpid=
cleanup() {
    if [ -n "$vmpid" ]; then kill "$vmpid" 2>/dev/null || true; fi
    exec 4>&- 2>/dev/null || true
    [ -n "${BOOT_DEBIAN_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
cp --sparse=always "$img" "$work/disk.img"
if [ $qemu -eq 1 ]; then
    cmd=(qemu-system-riscv64 -M virt -m "$mem" -smp 1 -nographic -bios default -kernel "$kernel"
        -initrd "$initrd" -append "$append" -drive "file=$work/disk.img,format=raw,if=virtio")
    name=qemu-system-riscv64
else
    cmd=("$vm" run --machine=virt -m "$mem" -kernel "$kernel" -initrd "$initrd" -append "$append"
        -drive "file=$work/disk.img,format=raw,if=virtio" "$@")
    name=vm
fi
mkfifo "$work/in"
exec 4<>"$work/in" # held open: the machine sees no end of input while the guest runs
: >"$work/out"
limit=${BOOT_DEBIAN_TIMEOUT:-1200}
t0=$(date +%s.%N)
timeout "$limit" "${cmd[@]}" <"$work/in" >"$work/out" 2>&1 &
vmpid=$!

since() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
fail() {
    echo "boot-debian: $*" >&2
    echo "boot-debian: the console so far:" >&2
    tail -n 40 "$work/out" | sed 's/^/  /' >&2
    exit 1
}
# plain: the console's text without carriage returns and terminal escapes (systemd and
# bash mark each prompt and command with OSC 3008 sequences, agetty and bash send CSI ones)
plain() {
    tr -d '\r' | sed -E $'s/\x1b[]P][^\x1b]*\x1b\\\\//g; s/\x1b\\[[0-9;?!]*[a-zA-Z]//g; s/\x1b[78]//g'
}
# expect PATTERN SECONDS: wait until the console's output, from byte $mark on, matches the
# extended regular expression PATTERN; fails after SECONDS or when the machine exits
mark=0
expect() {
    local pat=$1 secs=$2 i=0
    while [ $i -lt $((secs * 5)) ]; do
        if tail -c +$((mark + 1)) "$work/out" | plain | grep -qE "$pat"; then
            mark=$(stat -c %s "$work/out")
            return 0
        fi
        if ! kill -0 "$vmpid" 2>/dev/null; then
            fail "$name exited while waiting for: $pat"
        fi
        sleep 0.2
        i=$((i + 1))
    done
    fail "no '$pat' on the console within $secs s"
}
send() { printf '%s\r' "$1" >&4; }

expect "debian login: *$" 900
login=$(since)
echo "boot-debian: login prompt after $login s ($name)"
send root
expect "Password: *$" 60
send root
expect "root@debian:~# *$" 60
send "echo \"=state=\$(timeout 300 systemctl is-system-running --wait)=\""
expect "=state=[a-z-]*=" 330
state=$(plain <"$work/out" | sed -n 's/^=state=\([a-z-]*\)=.*/\1/p' | tail -n 1)
echo "boot-debian: systemctl is-system-running: $state"
if [ "$state" = degraded ]; then
    send "systemctl --failed --no-legend --plain | sed 's/^/=failed= /'; echo =end-failed="
    expect "^=end-failed=" 60
    plain <"$work/out" | sed -n 's/^=failed= /boot-debian: failed unit: /p'
fi
send "apt-get --version | head -n 1 | sed 's/^/=apt= /'"
expect "^=apt= apt [0-9]" 60
plain <"$work/out" | grep -m1 "^=apt= " | sed 's/^=apt= /boot-debian: /'
word=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
send "echo 'written-in-guest-$word' >/root/vm-test.txt && sync && echo =synced="
expect "^=synced=" 120
send "poweroff"
set +e
wait "$vmpid"
st=$?
set -e
vmpid=
total=$(since)
echo "boot-debian: $name exited with $st after $total s"
if [ $st -eq 124 ]; then
    fail "the machine did not power off within $limit s"
fi
[ $st -eq 0 ] || fail "$name exited with $st, not the guest's poweroff status 0"
case $state in
running | degraded) ;;
*) fail "systemctl is-system-running said '$state'" ;;
esac
got=$(debugfs -R "cat /root/vm-test.txt" "$work/disk.img" 2>/dev/null)
if [ "$got" != "written-in-guest-$word" ]; then
    fail "the image holds '$got' in /root/vm-test.txt, not what the guest wrote"
fi
echo "boot-debian: the file written in the guest is in the image"
if ! e2fsck -fn "$work/disk.img" >"$work/fsck.log" 2>&1; then
    sed 's/^/  /' "$work/fsck.log" >&2
    fail "e2fsck -fn found errors in the image"
fi
echo "boot-debian: e2fsck -fn: clean"
echo "boot-debian: ok"
