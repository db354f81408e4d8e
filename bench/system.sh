#!/usr/bin/env bash
# system.sh - system-mode targets, measured side by side in one run: Debian's riscv64 kernel
# with a busybox initramfs on vm's virt machine and on qemu-system-riscv64's virt board (same
# kernel, initramfs, -m 1G, one hart; qemu with its own OpenSBI), and a CPU workload inside
# the booted guest next to the same binary in user mode.
#
#   boot    start to poweroff, /init powers off at once; hyperfine wall time (median)
#   mixed   bench/programs/mixed.c, static, run by /init inside the booted guest; its time is
#           the guest's own (/proc/uptime before and after, 10 ms resolution), and the same
#           binary runs in user mode under `vm run` and qemu-riscv64 (hyperfine)
#
# Every run's output is checked (the guest's "bench: done" line, mixed's checksum against
# the user-mode run). Prints a table and writes OUTDIR/system.json. Exit status: 0 measured,
# 1 a wrong output, 2 nothing measured (a tool missing, the archive unreachable).
#
#   bench/system.sh OUTDIR [VM_BINARY]
#
# BENCH_RUNS (default 3) timed runs per executor, BENCH_MIXED_ROUNDS (default 24) the
# workload's size, BENCH_ENGINES (default "jit") the vm engines to boot (e.g. "jit interp").
set -uo pipefail

out=${1:?usage: bench/system.sh OUTDIR [VM_BINARY]}
vm=${2:-build/vm}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${BENCH_RUNS:-3}
rounds=${BENCH_MIXED_ROUNDS:-24}
engines=${BENCH_ENGINES:-jit}

say() { echo "system-bench: $*" >&2; }
die() {
    say "$*"
    exit 2
}

missing=()
for t in hyperfine riscv64-linux-gnu-gcc qemu-system-riscv64 cpio gzip python3; do
    command -v "$t" >/dev/null || missing+=("$t")
done
[ ${#missing[@]} -eq 0 ] || die "cannot run, missing: ${missing[*]}"
[ -x "$vm" ] || die "$vm is not built"
vm=$(realpath "$vm")
mkdir -p "$out"
out=$(realpath "$out")

cache=${VM_CACHE:-${HOME:-/tmp}/.cache/vm/riscv64}
sysroot=$("$root/scripts/fetch-riscv64.sh" -c "$cache" linux-image-riscv64 busybox-static) ||
    die "Debian's archive cannot be reached (or the fetch failed)"
kernel=$(find "$sysroot/usr/lib/modules" -maxdepth 2 -name vmlinuz | sort | tail -n 1)
[ -n "$kernel" ] || die "no vmlinuz under $sysroot/usr/lib/modules"

riscv64-linux-gnu-gcc -O2 -static -o "$out/mixed" "$here/programs/mixed.c" ||
    die "building mixed failed"

# initramfs NAME INIT-BODY: busybox, mixed and an /init that runs INIT-BODY, then powers off
initramfs() {
    local dir=$out/root-$1
    rm -rf "$dir"
    mkdir -p "$dir/bin" "$dir/proc" "$dir/sys"
    cp "$sysroot/usr/bin/busybox" "$dir/bin/busybox"
    cp "$out/mixed" "$dir/bin/mixed"
    {
        echo '#!/bin/busybox sh'
        echo '/bin/busybox --install -s /bin'
        echo 'mount -t proc proc /proc'
        echo "$2"
        echo 'echo "bench: done"'
        echo 'poweroff -f'
    } >"$dir/init"
    chmod +x "$dir/init"
    (cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out/initrd-$1.gz"
}
initramfs boot ':'
initramfs mixed "t0=\$(cut -d' ' -f1 /proc/uptime); /bin/mixed $rounds;
t1=\$(cut -d' ' -f1 /proc/uptime); echo \"bench: mixed seconds \$t0 \$t1\""

append="console=ttyS0 quiet"
# the command line of executor $1 booting initramfs $2
boot_cmd() {
    local initrd=$out/initrd-$2.gz
    case $1 in
    qemu) echo "qemu-system-riscv64 -M virt -m 1G -smp 1 -nographic -bios default -kernel $kernel -initrd $initrd -append '$append'" ;;
    vm-*) echo "$vm run --machine=virt --engine=${1#vm-} -m 1G -kernel $kernel -initrd $initrd -append '$append'" ;;
    esac
}

executors=(qemu)
for e in $engines; do executors+=("vm-$e"); done
status=0
: >"$out/results.tsv"

# the user-mode reference output of mixed (also the checksum the guests must print)
want=$("$vm" run "$out/mixed" "$rounds") || die "vm run mixed failed"
echo "$want" >"$out/mixed.want"

for x in "${executors[@]}"; do
    # one checked run of each initramfs first: a wrong output is not timed
    for kind in boot mixed; do
        cmd=$(boot_cmd "$x" "$kind")
        if ! timeout 900 sh -c "$cmd" </dev/null >"$out/$x-$kind.log" 2>&1 ||
            ! grep -q "bench: done" "$out/$x-$kind.log"; then
            say "$x: the $kind boot failed (see $out/$x-$kind.log)"
            status=1
            continue 2
        fi
    done
    if ! grep -qF "$want" "$out/$x-mixed.log"; then
        say "$x: mixed printed a wrong checksum inside the guest (want: $want)"
        status=1
        continue
    fi
    say "$x: boot, $runs runs"
    hyperfine --runs "$runs" --export-json "$out/$x-boot.json" --style basic \
        "$(boot_cmd "$x" boot) </dev/null >/dev/null 2>&1" >&2 || status=1
    # the guest's own timing of mixed, median over runs
    for ((i = 0; i < runs; i++)); do
        sh -c "$(boot_cmd "$x" mixed)" </dev/null 2>&1 | grep "bench: mixed seconds" |
            tr -d '\r' | awk -v x="$x" '{ printf "%s\tmixed-guest\t%.2f\n", x, $5 - $4 }' \
            >>"$out/results.tsv"
    done
done

# user mode: the same mixed binary under vm and qemu-riscv64
user=()
command -v qemu-riscv64 >/dev/null && user+=("qemu-riscv64 $out/mixed $rounds")
user+=("$vm run $out/mixed $rounds")
hyperfine --runs "$runs" --export-json "$out/user-mixed.json" --style basic "${user[@]}" >&2 ||
    status=1

python3 - "$out" "${executors[@]}" <<'EOF'
import json, os, statistics, sys
out, executors = sys.argv[1], sys.argv[2:]
res = {"boot_seconds": {}, "mixed_guest_seconds": {}, "mixed_user_seconds": {}}
for x in executors:
    p = os.path.join(out, "%s-boot.json" % x)
    if os.path.exists(p):
        res["boot_seconds"][x] = statistics.median(json.load(open(p))["results"][0]["times"])
for line in open(os.path.join(out, "results.tsv")):
    x, kind, v = line.split("\t")
    res["mixed_guest_seconds"].setdefault(x, []).append(float(v))
res["mixed_guest_seconds"] = {x: statistics.median(v) for x, v in res["mixed_guest_seconds"].items()}
p = os.path.join(out, "user-mixed.json")
if os.path.exists(p):
    for r in json.load(open(p))["results"]:
        name = "qemu-riscv64" if r["command"].startswith("qemu-riscv64") else "vm"
        res["mixed_user_seconds"][name] = statistics.median(r["times"])
b, g, u = res["boot_seconds"], res["mixed_guest_seconds"], res["mixed_user_seconds"]
ratios = {}
for x in executors:
    if x == "qemu":
        continue
    if x in b and "qemu" in b:
        ratios["boot %s / qemu (target <= 0.5)" % x] = b[x] / b["qemu"]
    if x in g and "qemu" in g and g[x] > 0:
        ratios["mixed in guest: %s speed / qemu (target >= 2)" % x] = g["qemu"] / g[x]
    if x in g and "vm" in u and g[x] > 0:
        ratios["mixed: %s in guest / vm user mode speed (target >= 0.8)" % x] = u["vm"] / g[x]
res["ratios"] = ratios
json.dump(res, open(os.path.join(out, "system.json"), "w"), indent=1)
print("| measure | " + " | ".join(executors) + " |")
print("|---|" + "---|" * len(executors))
print("| boot to poweroff, s (median) | " + " | ".join(
    "%.2f" % b[x] if x in b else "-" for x in executors) + " |")
print("| mixed inside the guest, s (median) | " + " | ".join(
    "%.2f" % g[x] if x in g else "-" for x in executors) + " |")
print()
print("user mode, mixed: " + ", ".join("%s %.2f s" % (k, v) for k, v in u.items()))
for k, v in ratios.items():
    print("%s: %.2f" % (k, v))
EOF
exit $status
