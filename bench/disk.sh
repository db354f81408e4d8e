#!/usr/bin/env bash
# disk.sh - virtio-blk throughput, vm against qemu-system-riscv64 side by side in one run:
# Debian's riscv64 kernel with a busybox initramfs whose /init mounts an ext4 image on
# /dev/vda and times, with the guest's own clock (/proc/uptime, 10 ms), a sequential write of
# a file with `dd if=/dev/zero bs=1M oflag=direct` and its sequential read back with
# `dd of=/dev/null bs=1M iflag=direct` (the page cache of the guest out of the way; the guest
# drops its caches before the read), then powers off.
#
# Both machines get the same kernel, initramfs, -m 1G, one hart and a fresh sparse copy of
# the same 512 MiB image for every run, on a virtio-mmio block device backed by the host's
# page cache: qemu with `-drive if=none,cache=writeback,aio=threads` and
# `-device virtio-blk-device` (its default cache mode; the device vm has), vm with
# `-drive format=raw,if=virtio` (preadv/pwritev on the image, FLUSH -> fdatasync). Runs are
# interleaved (qemu, vm, qemu, vm, ...); medians. Each run's output is checked (the file's
# size read back in the guest, in 1 MiB records, and the guest's "bench: done" line). Also
# the host CPU time of each whole boot (user + system, all threads).
#
#   bench/disk.sh OUTDIR [VM_BINARY]
#
# BENCH_RUNS (default 5) runs per executor, BENCH_DISK_MB (default 256) the file's size,
# BENCH_ENGINES (default "jit") the vm engines (e.g. "jit interp"). Prints a table and writes
# OUTDIR/disk.json. Exit status: 0 measured, 1 a run failed, 2 nothing measured (a tool
# missing, the archive unreachable).
set -uo pipefail

out=${1:?usage: bench/disk.sh OUTDIR [VM_BINARY]}
vm=${2:-build/vm}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-5}
mb=${BENCH_DISK_MB:-256}
engines=${BENCH_ENGINES:-jit}

say() { echo "disk-bench: $*" >&2; }
die() {
    say "$*"
    exit 2
}

missing=()
for t in qemu-system-riscv64 mke2fs cpio gzip python3 /usr/bin/time; do
    command -v "$t" >/dev/null || missing+=("$t")
done
[ ${#missing[@]} -eq 0 ] || die "cannot run, missing: ${missing[*]}"
[ -x "$vm" ] || die "$vm is not built"
vm=$(realpath "$vm")
mkdir -p "$out"
out=$(realpath "$out")

cd "$root"
. scripts/kernel.sh
fetch_kernel disk-bench # exits 2 when Debian's archive cannot be reached
set +e                  # fetch_kernel leaves errexit on

rm -rf "$out/root"
mkdir -p "$out/root/bin" "$out/root/proc" "$out/root/sys" "$out/root/dev" "$out/root/lib" \
    "$out/root/mnt"
cp "$sysroot/usr/bin/busybox" "$out/root/bin/busybox"
kernel_modules disk-bench "$out/root/lib" virtio_mmio virtio_blk ext4
cat >"$out/root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /lib/*.ko; do insmod "\$m" >/dev/null 2>&1; done
n=0
while [ ! -b /dev/vda ] && [ \$n -lt 100 ]; do sleep 0.1; n=\$((n + 1)); done
mount -t ext4 /dev/vda /mnt || echo "bench: mount failed"
t0=\$(cut -d' ' -f1 /proc/uptime)
dd if=/dev/zero of=/mnt/f bs=1M count=$mb oflag=direct 2>/dev/null || echo "bench: write failed"
t1=\$(cut -d' ' -f1 /proc/uptime)
sync
echo 3 >/proc/sys/vm/drop_caches
t2=\$(cut -d' ' -f1 /proc/uptime)
recs=\$(dd if=/mnt/f of=/dev/null bs=1M iflag=direct 2>&1 | sed -n 's/^\([0-9]*\)+0 records in.*/\1/p')
t3=\$(cut -d' ' -f1 /proc/uptime)
echo "bench: disk \$t0 \$t1 \$t2 \$t3 \$recs"
umount /mnt
echo "bench: done"
poweroff -f
EOF
chmod +x "$out/root/init"
(cd "$out/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd.gz"

rm -rf "$out/tree"
mkdir -p "$out/tree"
rm -f "$out/pristine.img"
mke2fs -q -t ext4 -b 4096 -d "$out/tree" "$out/pristine.img" 512M || die "mke2fs failed"

append="console=ttyS0 quiet"
# the command line of executor $1 on image $2
run_cmd() {
    case $1 in
    qemu)
        echo "qemu-system-riscv64 -M virt -m 1G -smp 1 -nographic -bios default -kernel $kernel" \
            "-initrd $out/initrd.gz -append '$append'" \
            "-drive file=$2,format=raw,if=none,id=d0,cache=writeback,aio=threads" \
            "-device virtio-blk-device,drive=d0"
        ;;
    vm-*)
        echo "$vm run --machine=virt --engine=${1#vm-} -m 1G -kernel $kernel" \
            "-initrd $out/initrd.gz -append '$append' -drive file=$2,format=raw,if=virtio"
        ;;
    esac
}

executors=(qemu)
for e in $engines; do executors+=("vm-$e"); done
status=0
: >"$out/results.tsv"
say "host: $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((r = 1; r <= runs; r++)); do
    for x in "${executors[@]}"; do
        img=$out/run.img
        cp --sparse=always "$out/pristine.img" "$img"
        log=$out/$x-$r.log
        /usr/bin/time -f "cpu %U %S wall %e" -o "$out/time" \
            timeout 900 sh -c "$(run_cmd "$x" "$img")" </dev/null >"$log" 2>&1
        line=$(tr -d '\r' <"$log" | grep "^bench: disk " | tail -n 1)
        if ! grep -q "bench: done" "$log" || [ -z "$line" ]; then
            say "$x run $r failed (see $log)"
            status=1
            continue
        fi
        set -- $line
        if [ "${7:-}" != "$mb" ]; then
            say "$x run $r read back ${7:-no} 1 MiB records, not $mb (see $log)"
            status=1
            continue
        fi
        read -r _ u s _ w <"$out/time"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$x" "$r" \
            "$(awk -v a="$3" -v b="$4" -v m="$mb" 'BEGIN { printf "%.1f", m / (b - a) }')" \
            "$(awk -v a="$5" -v b="$6" -v m="$mb" 'BEGIN { printf "%.1f", m / (b - a) }')" \
            "$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')" "$w" >>"$out/results.tsv"
        say "$x run $r: $(tail -n 1 "$out/results.tsv" | cut -f3-)  (write MB/s, read MB/s, CPU s, wall s)"
    done
done
rm -f "$out/run.img"

python3 - "$out" "$mb" "${executors[@]}" <<'EOF' || status=1
import json, statistics, sys
out, mb, executors = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = [l.rstrip("\n").split("\t") for l in open(f"{out}/results.tsv") if l.strip()]
res = {}
for x in executors:
    mine = [r for r in rows if r[0] == x]
    if not mine:
        continue
    res[x] = {
        "runs": len(mine),
        "write_mb_s": statistics.median(float(r[2]) for r in mine),
        "read_mb_s": statistics.median(float(r[3]) for r in mine),
        "cpu_s": statistics.median(float(r[4]) for r in mine),
        "wall_s": statistics.median(float(r[5]) for r in mine),
        "all": [[float(v) for v in r[2:]] for r in mine],
    }
json.dump({"file_mb": mb, "results": res}, open(f"{out}/disk.json", "w"), indent=1)
print(f"{mb} MiB, dd bs=1M, O_DIRECT in the guest; medians of interleaved runs")
print(f"{'':10} {'write MB/s':>11} {'read MB/s':>10} {'boot CPU s':>11} {'boot wall s':>12}  runs")
for x, v in res.items():
    print(f"{x:10} {v['write_mb_s']:11.1f} {v['read_mb_s']:10.1f} {v['cpu_s']:11.2f} "
          f"{v['wall_s']:12.2f}  {v['runs']}")
q = res.get("qemu")
for x, v in res.items():
    if x != "qemu" and q:
        print(f"{x} / qemu: write {v['write_mb_s'] / q['write_mb_s']:.2f}x, "
              f"read {v['read_mb_s'] / q['read_mb_s']:.2f}x (target >= 2x)")
if len(res) != len(executors):
    sys.exit(1)
EOF
exit $status
