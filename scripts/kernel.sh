# kernel.sh - sourced by the boot scripts (boot-linux.sh, boot-virtio.sh): Debian's riscv64
# kernel and busybox, fetched once into the cached sysroot by fetch-riscv64.sh.
#
# fetch_kernel NAME: sets $sysroot (the cached sysroot) and $kernel (its newest vmlinuz), or
# exits the calling script with a message naming NAME: status 2 when Debian's archive cannot
# be reached (callers skip), 1 for any other failure. Run from the project's root.
fetch_kernel() {
    local name=$1 st
    local cache=${VM_CACHE:-${HOME:-/tmp}/.cache/vm/riscv64}
    set +e
    sysroot=$(scripts/fetch-riscv64.sh -c "$cache" linux-image-riscv64 busybox-static)
    st=$?
    set -e
    if [ $st -eq 2 ]; then
        echo "$name: skipped: Debian's archive cannot be reached" >&2
        exit 2
    elif [ $st -ne 0 ]; then
        echo "$name: fetching the kernel failed" >&2
        exit 1
    fi
    kernel=$(find "$sysroot/usr/lib/modules" -maxdepth 2 -name vmlinuz | sort | tail -n 1)
    if [ -z "$kernel" ]; then
        echo "$name: no vmlinuz under $sysroot/usr/lib/modules" >&2
        exit 1
    fi
}
