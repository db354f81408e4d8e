#!/bin/bash
# thread_memory.sh [VM] [N] - host memory per guest thread: the RSS and PSS of `vm run` (each
# engine) and of qemu-riscv64 (when installed) on bench/guest/threads_wait.c with N threads
# (default 1000) blocked on a futex, minus the same with none; median of 3 runs each, in KiB
# per thread. Needs riscv64-linux-gnu-gcc.
set -eu
vm=${1:-build/vm}
n=${2:-1000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
riscv64-linux-gnu-gcc -O2 -static -pthread -o "$tmp/threads_wait" "$here/guest/threads_wait.c"

# rss_pss THREADS CMD...: "RSS PSS" in KiB of CMD once its guest printed "ready"
rss_pss() {
    local threads=$1
    shift
    mkfifo "$tmp/fifo"
    "$@" "$tmp/threads_wait" "$threads" 3 >"$tmp/fifo" &
    local pid=$! line
    read -r line <"$tmp/fifo"
    sleep 0.3
    echo "$(awk '/^VmRSS/{print $2}' /proc/$pid/status) $(awk '/^Pss:/{print $2}' /proc/$pid/smaps_rollup)"
    cat "$tmp/fifo" >/dev/null
    wait $pid
    rm -f "$tmp/fifo"
}

median() { sort -n | sed -n 2p; }

measure() {
    local name=$1 rss=() pss=()
    shift
    for _ in 1 2 3; do
        read -r r1 p1 <<<"$(rss_pss "$n" "$@")"
        read -r r0 p0 <<<"$(rss_pss 0 "$@")"
        rss+=($(((r1 - r0) / n)))
        pss+=($(((p1 - p0) / n)))
    done
    printf '%-12s %4s KiB RSS  %4s KiB PSS per thread\n' "$name" \
        "$(printf '%s\n' "${rss[@]}" | median)" "$(printf '%s\n' "${pss[@]}" | median)"
}

echo "host: $(lscpu | sed -n 's/^Model name: *//p'), $n guest threads"
measure "vm interp" "$vm" run --engine=interp
if "$vm" info >/dev/null 2>&1 && [ "$(uname -m)" = x86_64 ]; then
    measure "vm jit" "$vm" run --engine=jit
fi
if command -v qemu-riscv64 >/dev/null; then
    measure "qemu-riscv64" qemu-riscv64
fi
