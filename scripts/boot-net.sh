#!/usr/bin/env bash
# boot-net.sh - boot Debian's riscv64 kernel on vm's virt machine with a virtio-net card on
# user-mode networking, and move data both ways through it. Only the host's loopback is used.
#
#   scripts/boot-net.sh [--bench MIB] [--qemu] [VM [VM-RUN-OPTIONS...]]
#
# The initramfs loads virtio_net and the modules it depends on (failover, net_failover), after
# virtio_mmio (scripts/kernel.sh), configures eth0 by DHCP from slirp (busybox
# udhcpc), then:
#   (a) fetches a file of random bytes with busybox wget from a python3 HTTP server that this
#       script runs on 127.0.0.1 (the guest reaches it as 10.0.2.2) and prints its sha256;
#   (b) serves the file back with busybox httpd on guest port 8080, which -netdev's
#       hostfwd=tcp:127.0.0.1:PORT-:8080 forwards; the host fetches it and compares the bytes;
#   then waits for the host to connect to a second forwarded port, and powers off.
# Prints "boot-net: ok".
#
# --bench MIB: instead, the guest fetches a MIB-mebibyte file into /dev/null three times and
# prints each transfer's seconds and MiB/s (from /proc/uptime); --qemu boots the same kernel
# and initramfs under qemu-system-riscv64 (for comparison), with the same network options.
#
# Environment, for debugging: BOOT_NET_QUIET= shows the kernel's messages (default "quiet"),
# BOOT_NET_TIMEOUT=SECONDS bounds the run (default 600), BOOT_NET_KEEP=1 keeps the work
# directory (initramfs, console output, HTTP log).
#
# Exit status: 0 done, 1 failure, 2 Debian's archive unreachable (callers skip), 3 timeout,
# 77 vm built without user-mode networking (libslirp).
set -euo pipefail
cd "$(dirname "$0")/.."

bench=0
qemu=0
while [ $# -gt 0 ]; do
    case $1 in
    --bench) bench=$2; shift 2 ;;
    --qemu) qemu=1; shift ;;
    *) break ;;
    esac
done
vm=${1:-build/vm}
shift || true

. scripts/kernel.sh
fetch_kernel boot-net

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [ -n "${BOOT_NET_KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# three free loopback ports: the HTTP server, the forward to the guest's httpd, the "done" port
read -r http_port fwd_port bye_port < <(python3 - <<'PY'
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])
PY
)

initramfs_root boot-net "$work/root" virtio_mmio virtio_net
mkdir -p "$work/www"
cat >"$work/root/bin/dhcp.sh" <<'EOF2'
#!/bin/busybox sh
case $1 in
bound | renew)
    ifconfig "$interface" "$ip" netmask "$subnet" up
    route add default gw "$router" dev "$interface"
    echo "guest: dhcp $ip/$subnet gw $router"
    ;;
esac
EOF2
init_prologue >"$work/root/init"
cat >>"$work/root/init" <<'EOF2'
ifconfig lo 127.0.0.1 up
ifconfig eth0 up
udhcpc -i eth0 -n -q -t 10 -T 1 -s /bin/dhcp.sh 2>&1 | grep "guest:"
echo "guest: mac $(cat /sys/class/net/eth0/address)"
url=http://10.0.2.2:$httpport/payload
if [ "${benchmib:-0}" != 0 ]; then
    for n in 1 2 3; do
        t0=$(cut -d' ' -f1 /proc/uptime)
        wget -q -O /dev/null "$url" || echo "guest: wget failed"
        t1=$(cut -d' ' -f1 /proc/uptime)
        echo "guest: bench $benchmib MiB in $(awk "BEGIN{printf \"%.2f s, %.1f MiB/s\", $t1-$t0, $benchmib/($t1-$t0)}")"
    done
    poweroff -f
fi
if wget -q -O /tmp/payload "$url"; then
    echo "guest: fetched $(sha256sum /tmp/payload)"
else
    echo "guest: wget failed"
fi
mkdir /www
cp /tmp/payload /www/back
httpd -p 8080 -h /www
echo "guest: serving"
timeout 300 nc -l -p 8081 >/tmp/bye
echo "guest: host said $(cat /tmp/bye)"
poweroff -f
EOF2
chmod +x "$work/root/init" "$work/root/bin/dhcp.sh"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

if [ "$bench" != 0 ]; then
    head -c "$((bench << 20))" /dev/urandom >"$work/www/payload"
else
    head -c 3000000 /dev/urandom >"$work/www/payload"
fi
want=$(sha256sum "$work/www/payload" | cut -d' ' -f1)
python3 -m http.server --bind 127.0.0.1 --directory "$work/www" "$http_port" \
    >"$work/http.log" 2>&1 &
pids+=($!)

net=(-netdev "user,id=n0,hostfwd=tcp:127.0.0.1:$fwd_port-:8080,hostfwd=tcp:127.0.0.1:$bye_port-:8081"
    -device virtio-net-device,netdev=n0)
append="console=ttyS0 ${BOOT_NET_QUIET-quiet} httpport=$http_port benchmib=$bench"
if [ $qemu -eq 1 ]; then
    cmd=(qemu-system-riscv64 -M virt -m 512M -nographic -bios default -kernel "$kernel"
        -initrd "$work/initrd.gz" -append "$append" "${net[@]}")
else
    cmd=("$vm" run --machine=virt -m 512M -kernel "$kernel" -initrd "$work/initrd.gz"
        -append "$append" "${net[@]}" "$@")
fi
: >"$work/out"
timeout "${BOOT_NET_TIMEOUT:-600}" "${cmd[@]}" </dev/null >"$work/out" 2>&1 &
vmpid=$!
pids+=($vmpid)

# (b): when the guest serves, fetch the file back through the forward, then say goodbye
back=fail
if [ "$bench" = 0 ]; then
    for _ in $(seq 600); do
        if grep -q "guest: serving" "$work/out" || ! kill -0 $vmpid 2>/dev/null; then break; fi
        sleep 1
    done
    if grep -q "guest: serving" "$work/out"; then
        back=$(python3 - "$fwd_port" <<'PY' || echo fail
import hashlib, sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/back", timeout=120) as r:
    print(hashlib.sha256(r.read()).hexdigest())
PY
)
        python3 - "$bye_port" <<'PY' || true
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(b"bye-from-host\n")
s.close()
PY
    fi
fi
set +e
wait $vmpid
st=$?
set -e
cat "$work/out"
if grep -q "user-mode networking is not built in" "$work/out"; then
    echo "boot-net: skipped: vm was built without libslirp" >&2
    exit 77
fi
if [ $st -eq 124 ]; then
    echo "boot-net: the boot did not finish within 600 s" >&2
    exit 3
fi
fail=0
need() {
    if ! grep -qE "$1" "$work/out"; then
        echo "boot-net: missing from the console: $1" >&2
        fail=1
    fi
}
need "guest: dhcp 10\.0\.2\.15/255\.255\.255\.0 gw 10\.0\.2\.2"
need "guest: mac 52:54:00:12:34:56"
if [ "$bench" != 0 ]; then
    need "guest: bench $bench MiB in"
    if grep -q "guest: wget failed" "$work/out"; then fail=1; fi
else
    need "guest: fetched $want "
    need "guest: host said bye-from-host"
    if [ "$back" != "$want" ]; then
        echo "boot-net: the file fetched back from the guest's httpd has sha256 '$back'" >&2
        fail=1
    fi
fi
if [ $st -ne 0 ]; then
    echo "boot-net: the machine exited with $st, not the guest's poweroff status 0" >&2
    fail=1
fi
[ $fail -eq 0 ] || exit 1
echo "boot-net: ok"
