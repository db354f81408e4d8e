# kernel.sh - sourced by the boot scripts (boot-linux.sh, boot-virtio.sh, boot-net.sh,
# boot-console.sh, boot-datasafe.sh, boot-smp.sh, boot-debian.sh, debian-image.sh): Debian's
# riscv64 kernel and busybox, fetched once into the cached sysroot by fetch-riscv64.sh, the
# modules an initramfs loads, and the common start of a busybox initramfs and its /init.
#
# fetch_kernel NAME: sets $sysroot (the cached sysroot), $kernel (its newest vmlinuz) and
# $moddir (that kernel's module directory), or exits the calling script with a message naming
# NAME: status 2 when Debian's archive cannot be reached (callers skip), 1 for any other
# failure. Run from the project's root.
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
    moddir=$(dirname "$kernel")
}

# kernel_modules NAME DEST MODULE...: copy the named modules of $moddir, and every module they
# depend on, decompressed (busybox's insmod takes plain .ko files) into DEST as NN-name.ko,
# numbered in an order that loads each module after its dependencies: `for m in DEST/*.ko;
# do insmod $m; done` loads them all. Module names may use - or _ alike. A module built into
# the kernel is skipped; one the kernel has in neither form exits the calling script with 1.
# The dependencies come from each module's own .modinfo section ("depends="), since the
# package leaves modules.dep to depmod at installation.
kernel_modules() {
    local name=$1 dest=$2
    shift 2
    local -A file=() seen=()
    local f key n=0
    while IFS= read -r f; do
        key=${f##*/}
        key=${key%%.ko*}
        file[${key//-/_}]=$f
    done < <(find "$moddir/kernel" -name '*.ko*')
    mkdir -p "$dest"
    _kmod_add() {
        local m=${1//-/_} f dep deps
        [ -z "${seen[$m]:-}" ] || return 0
        seen[$m]=1
        f=${file[$m]:-}
        if [ -z "$f" ]; then
            if tr '_' '-' <"$moddir/modules.builtin" | grep -q "/${m//_/-}\.ko$"; then
                return 0 # built into the kernel
            fi
            echo "$name: the kernel has no $1 module" >&2
            exit 1
        fi
        case $f in
        *.xz) xz -dc "$f" >"$dest/.mod" ;;
        *.zst) zstd -qdc "$f" >"$dest/.mod" ;;
        *.gz) gzip -dc "$f" >"$dest/.mod" ;;
        *) cp "$f" "$dest/.mod" ;;
        esac
        deps=$(tr '\0' '\n' <"$dest/.mod" | sed -n 's/^depends=//p' | head -n 1)
        for dep in ${deps//,/ }; do
            _kmod_add "$dep"
        done
        case $f in
        *.xz) xz -dc "$f" ;;
        *.zst) zstd -qdc "$f" ;;
        *.gz) gzip -dc "$f" ;;
        *) cat "$f" ;;
        esac >"$dest/$(printf %02d $n)-$(basename "${f%%.ko*}").ko"
        n=$((n + 1))
    }
    for m in "$@"; do
        _kmod_add "$m"
    done
    rm -f "$dest/.mod"
}

# initramfs_root NAME ROOT MODULE...: the tree of a busybox initramfs in ROOT: bin/busybox from
# $sysroot, the directories /init mounts on (proc, sys, dev) and lib, mnt and tmp, and the
# named modules with their dependencies in ROOT/lib (kernel_modules; NAME names the caller in
# its messages).
initramfs_root() {
    local name=$1 root=$2
    shift 2
    mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/lib" "$root/mnt" "$root/tmp"
    cp "$sysroot/usr/bin/busybox" "$root/bin/busybox"
    if [ $# -gt 0 ]; then kernel_modules "$name" "$root/lib" "$@"; fi
}

# init_prologue: the first lines of such a tree's /init, on stdout: busybox's applets
# installed, /proc, /sys and /dev mounted, and the modules in /lib loaded in their order.
init_prologue() {
    cat <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in /lib/*.ko; do insmod "$m" || echo "guest: insmod $m failed"; done
EOF
}
