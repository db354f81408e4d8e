#!/usr/bin/env bash
# boot-datasafe.sh - the virt machine loses no data: three scripted scenarios with Debian's
# riscv64 kernel, a busybox initramfs and an ext4 image made on the host (mke2fs -d, no root).
#
#   scripts/boot-datasafe.sh [--only kill|readonly|full] [VM [VM-RUN-OPTIONS...]]
#
# kill      /init mounts the disk (commit=1, writeback every 0.2 s) and starts a background
#           writer that keeps rewriting 4 MiB files and creating and removing small ones; in
#           the foreground it writes files of random data, runs `sync`, reads one marker
#           sector of a second disk with O_DIRECT and prints each file's md5 on the console.
#           The host sends SIGKILL to vm the moment the sixth such line arrives, with the
#           writer still going. Then, on a copy of the image: `e2fsck -fy` may only recover
#           the journal and fix free block and inode counts, `e2fsck -fn` afterwards is clean,
#           and every file whose md5 the guest printed is intact (read with debugfs). vm runs
#           under strace (when present), which logs its fdatasync calls and the marker reads:
#           between two markers an fdatasync of the image returned 0, so the guest's flush
#           reached the host's disk and not only its page cache (a vm that completed FLUSH
#           without fdatasync fails here; one that completed writes or a flush before the host
#           had the data fails the md5 check).
# readonly  the image is mode 0444. Without readonly=on vm must refuse to start with a message
#           that names readonly=on (as root, vm runs without CAP_DAC_OVERRIDE through setpriv
#           so that the mode applies; skipped without setpriv); with readonly=on the guest sees
#           a read-only disk, mounts it read-only, reads its file, and every write (a file, a
#           remount read-write, the raw device) fails without harm; the image is unchanged.
# full      vm runs under `prlimit --fsize` below the image's size, a full host disk as far as
#           the guest can tell: /init fills the file system with `dd conv=fsync`, which must
#           fail with an I/O error; vm prints one line about it on stderr (not one per
#           failed request), keeps running, and the guest powers off with status 0.
#
# DATASAFE_KEEP=1 keeps the work directory (images, logs, the strace log) for a look.
# Prints "boot-datasafe: ok". Exit status: 0 done, 1 failure, 2 Debian's archive unreachable
# (callers skip), 3 timeout, 77 a host tool missing (mke2fs, e2fsck, debugfs, prlimit).
set -euo pipefail
cd "$(dirname "$0")/.."

only=
if [ "${1:-}" = --only ]; then
    only=$2
    shift 2
fi
vm=${1:-build/vm}
shift || true

for t in mke2fs e2fsck debugfs prlimit cpio gzip md5sum; do
    if ! command -v "$t" >/dev/null; then
        echo "boot-datasafe: skipped: $t is missing (Debian packages e2fsprogs, util-linux)" >&2
        exit 77
    fi
done

. scripts/kernel.sh
fetch_kernel boot-datasafe

work=$(mktemp -d)
if [ -n "${DATASAFE_KEEP:-}" ]; then
    echo "boot-datasafe: keeping $work"
else
    trap 'rm -rf "$work"' EXIT
fi
initramfs_root boot-datasafe "$work/root" virtio_mmio virtio_blk ext4
init_prologue >"$work/root/init"
cat >>"$work/root/init" <<'EOF'
n=0
while [ ! -b /dev/vda ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
mode=$(sed -n 's/.*datasafe=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "guest: mode $mode, vda ro=$(cat /sys/block/vda/ro)"
case $mode in
kill)
    echo 1048576 >/proc/sys/vm/dirty_background_bytes
    echo 20 >/proc/sys/vm/dirty_expire_centisecs
    echo 20 >/proc/sys/vm/dirty_writeback_centisecs
    mount -t ext4 -o commit=1 /dev/vda /mnt || echo "guest: mount failed"
    mkdir -p /mnt/synced /mnt/heavy
    (
        i=0
        while :; do
            dd if=/dev/zero of=/mnt/heavy/big$((i % 4)) bs=64k count=64 2>/dev/null
            j=0
            while [ $j -lt 16 ]; do
                echo "$i $j" >/mnt/heavy/small$j
                j=$((j + 1))
            done
            rm -f /mnt/heavy/small*
            i=$((i + 1))
        done
    ) &
    sleep 1
    echo "guest: heavy writes running"
    k=0
    while :; do
        f=/mnt/synced/file$k
        dd if=/dev/urandom of=$f bs=4096 count=$((1 + k * 5 % 16)) 2>/dev/null
        sync
        dd if=/dev/vdb of=/dev/null bs=4096 skip=$((256 + k)) count=1 iflag=direct 2>/dev/null
        echo "guest: synced file$k $(md5sum <$f | cut -d' ' -f1)"
        k=$((k + 1))
    done
    ;;
readonly)
    if mount -t ext4 /dev/vda /mnt 2>/tmp/err; then
        echo "guest: mounted, $(grep ' /mnt ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1)"
    else
        echo "guest: mount failed: $(cat /tmp/err)"
    fi
    echo "guest: read $(cat /mnt/hello.txt)"
    if (echo new >/mnt/new.txt) 2>/tmp/err; then
        echo "guest: file write succeeded"
    else
        echo "guest: file write failed: $(cat /tmp/err)"
    fi
    # busybox's mount retries a refused read-write mount read-only: look at the result
    mount -o remount,rw /mnt 2>/dev/null
    echo "guest: after remount rw: $(grep ' /mnt ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1)"
    if dd if=/dev/zero of=/dev/vda bs=512 seek=100 count=1 oflag=direct 2>/tmp/err; then
        echo "guest: raw write succeeded"
    else
        echo "guest: raw write failed: $(head -n 1 /tmp/err)"
    fi
    umount /mnt
    ;;
full)
    mount -t ext4 /dev/vda /mnt || echo "guest: mount failed"
    echo "guest: read $(cat /mnt/hello.txt)"
    if dd if=/dev/zero of=/mnt/fill bs=1M count=40 conv=fsync 2>/tmp/err; then
        echo "guest: fill succeeded"
    else
        echo "guest: fill failed: $(tail -n 1 /tmp/err)"
    fi
    sync
    umount /mnt 2>/dev/null || echo "guest: umount failed"
    echo "guest: still running after the full disk"
    ;;
esac
echo "guest: powering off"
poweroff -f
EOF
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio -o -H newc --quiet | gzip -1) >"$work/initrd.gz"

mkdir -p "$work/tree"
echo "hello from the host" >"$work/tree/hello.txt"
# mkimage FILE SIZE: an ext4 file system of SIZE with hello.txt, 4 KiB blocks
mkimage() {
    rm -f "$1"
    mke2fs -q -t ext4 -b 4096 -L datasafe -d "$work/tree" "$1" "$2"
}

fail=0
bad() {
    echo "boot-datasafe: $*" >&2
    fail=1
}
# need LOG REGEX: the console log has a line matching REGEX
need() {
    grep -qE "$2" "$1" || bad "missing from the console: $2"
}
# boot MODE OUT [vm -drive arguments...]: one boot with datasafe=MODE, console and stderr in
# OUT; sets $st to vm's exit status
boot() {
    local mode=$1 out=$2
    shift 2
    set +e
    timeout 600 "$vm" run --machine=virt -m 512M -kernel "$kernel" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 quiet datasafe=$mode" "$@" "${vmopts[@]}" </dev/null >"$out" 2>&1
    st=$?
    set -e
    if [ $st -eq 124 ]; then
        cat "$out"
        echo "boot-datasafe: the $mode boot did not finish within 600 s" >&2
        exit 3
    fi
}
vmopts=("$@")

# ---- kill -9 during heavy writes ----
scenario_kill() {
    echo "boot-datasafe: kill -9 during heavy writes"
    local img=$work/kill.img out=$work/kill.out want=6
    mkimage "$img" 128M
    truncate -s 4M "$work/marker.img"
    local -a tracer=()
    if command -v strace >/dev/null; then
        tracer=(strace -f -qq -o "$work/trace" -e trace=openat,fdatasync,preadv,preadv2 -e signal=none)
    else
        echo "boot-datasafe: strace is missing: the fdatasync check is skipped"
    fi
    mkfifo "$work/console"
    set +e
    timeout 600 "${tracer[@]}" sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$work/vm.pid" \
        "$vm" run --machine=virt -m 512M -kernel "$kernel" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 quiet datasafe=kill" \
        -drive "file=$img,format=raw,if=virtio" \
        -drive "file=$work/marker.img,format=raw,if=virtio" "${vmopts[@]}" \
        </dev/null >"$work/console" 2>&1 &
    local runner=$! killed=0 line
    : >"$out"
    while IFS= read -r line; do
        printf '%s\n' "$line" >>"$out"
        case $line in
        *"guest: synced file$((want - 1)) "*)
            kill -KILL "$(cat "$work/vm.pid")"
            killed=1
            break
            ;;
        esac
    done <"$work/console"
    { wait $runner; } 2>/dev/null # not bash's "Killed" line for the job
    st=$?
    set -e
    cat "$out"
    if [ $killed -eq 0 ]; then
        bad "the guest never printed its synced files (vm exited with $st)"
        return
    fi
    echo "boot-datasafe: vm killed after the guest's line for file$((want - 1))"
    if ! dumpe2fs -h "$img" 2>/dev/null | grep -q "^Filesystem features:.*needs_recovery"; then
        bad "the image is not marked needs_recovery: the kill did not hit a mounted file system"
    fi
    # journal replay, nothing else but the free counts
    cp --sparse=always "$img" "$work/replay.img"
    set +e
    e2fsck -fy "$work/replay.img" >"$work/fsck-fy.log" 2>&1
    local fst=$?
    set -e
    sed 's/^/  e2fsck -fy: /' "$work/fsck-fy.log"
    grep -q "recovering journal" "$work/fsck-fy.log" || bad "e2fsck did not recover the journal"
    [ $fst -le 1 ] || bad "e2fsck -fy exited with $fst"
    # every question e2fsck answered: the problem is on the line of the question or above it
    local other
    other=$(awk '
        /\? yes$/ || /FIXED|CLEARED/ {
            p = $0; sub(/ *[A-Za-z]*\? yes$/, "", p); if (p == "") p = prev
            if (p !~ /^Free (blocks|inodes) count wrong/) print p
        }
        NF { prev = $0 }' "$work/fsck-fy.log")
    [ -z "$other" ] || bad "e2fsck fixed more than the journal and the free counts: $other"
    if ! e2fsck -fn "$work/replay.img" >"$work/fsck-fn.log" 2>&1; then
        cat "$work/fsck-fn.log"
        bad "e2fsck -fn after the journal replay is not clean"
    else
        echo "boot-datasafe: e2fsck -fn after the replay: clean"
    fi
    # every file the guest synced and printed
    local n=0 name sum got
    while read -r name sum; do
        got=$(debugfs -R "cat /synced/$name" "$work/replay.img" 2>/dev/null | md5sum | cut -d' ' -f1)
        if [ "$got" != "$sum" ]; then
            bad "$name differs after the kill (md5 $got, the guest synced $sum)"
        fi
        n=$((n + 1))
    done < <(tr -d '\r' <"$out" | sed -n 's/^guest: synced \(file[0-9]*\) \([0-9a-f]\{32\}\)$/\1 \2/p')
    [ $n -eq $want ] || bad "$n synced files on the console, not $want"
    echo "boot-datasafe: $n synced files intact after the kill"
    # each flush reached the host's disk: an fdatasync returned 0 between two markers
    if [ ${#tracer[@]} -gt 0 ]; then
        local res
        # strace -f splits a call that another thread interrupts into "<unfinished ...>" and
        # "<... NAME resumed>"; both halves are matched by the thread's id (the first field)
        res=$(awk -v img="$img" -v marker="$work/marker.img" '
            /openat\(/ && match($0, /\) = [0-9]+$/) {
                fd = substr($0, RSTART + 4) + 0
                if (index($0, "\"" img "\"")) imgfd = fd
                if (index($0, "\"" marker "\"")) markfd = fd
                next
            }
            /fdatasync\(/ { call[$1] = $0 }
            /preadv2?\(/ { call[$1] = $0 }
            /resumed>/ { line = call[$1] $0 } !/resumed>/ { line = $0 }
            / = -?[0-9]+$/ && line ~ /fdatasync\(/ {
                if (line ~ ("fdatasync\\(" imgfd "[,) ]") && line ~ / = 0$/) synced = 1
                next
            }
            / = -?[0-9]+$/ && line ~ /preadv2?\(/ {
                # preadv(fd, iov, n, off) or preadv2(fd, iov, n, off, flags); a read that
                # failed (RWF_NOWAIT at the notify: EAGAIN) does not end in a number
                if (line ~ ("preadv2?\\(" markfd ",") &&
                    match(line, /, [0-9]+(, [A-Z_0-9|]+)?\) = [0-9]+$/)) {
                    off = substr(line, RSTART + 2) + 0
                    if (off >= 256 * 4096 && off < 768 * 4096) {
                        k = int(off / 4096) - 256
                        if (!synced) { print "no fdatasync of the image before marker " k; bad = 1 }
                        markers++
                        synced = 0
                    }
                }
            }
            END { if (!bad) print "ok " markers + 0 }' "$work/trace")
        case $res in
        "ok "*)
            [ "${res#ok }" -ge $want ] || bad "only ${res#ok } markers in the strace log"
            echo "boot-datasafe: an fdatasync of the image before each of ${res#ok } markers"
            ;;
        *) bad "flush without fdatasync: $res" ;;
        esac
    fi
}

# ---- a read-only image ----
scenario_readonly() {
    echo "boot-datasafe: a read-only image"
    local img=$work/ro.img
    mkimage "$img" 16M
    chmod 0444 "$img"
    cp "$img" "$work/ro.orig"
    # without readonly=on: refused, with a message that says what to do
    local -a nocap=()
    if [ "$(id -u)" -eq 0 ]; then
        if command -v setpriv >/dev/null; then
            nocap=(setpriv --bounding-set=-dac_override,-dac_read_search,-fowner)
        else
            nocap=(skip)
        fi
    fi
    if [ "${nocap[0]:-}" = skip ]; then
        echo "boot-datasafe: running as root without setpriv: the refusal check is skipped"
    else
        set +e
        timeout 60 "${nocap[@]}" "$vm" run --machine=virt -m 512M -kernel "$kernel" \
            -initrd "$work/initrd.gz" -append "console=ttyS0 quiet datasafe=readonly" \
            -drive "file=$img,format=raw,if=virtio" "${vmopts[@]}" </dev/null \
            >"$work/refuse.out" 2>&1
        st=$?
        set -e
        cat "$work/refuse.out"
        [ $st -ne 0 ] || bad "vm started with a 0444 image and no readonly=on"
        grep -q "readonly=on" "$work/refuse.out" ||
            bad "vm's message for a 0444 image does not mention readonly=on"
        grep -q "guest:" "$work/refuse.out" && bad "the guest ran with a 0444 image"
    fi
    boot readonly "$work/ro.out" -drive "file=$img,format=raw,if=virtio,readonly=on"
    cat "$work/ro.out"
    need "$work/ro.out" "guest: mode readonly, vda ro=1"
    need "$work/ro.out" "guest: mounted, ro"
    need "$work/ro.out" "guest: read hello from the host"
    need "$work/ro.out" "guest: file write failed: .*Read-only file system"
    need "$work/ro.out" "guest: after remount rw: ro"
    need "$work/ro.out" "guest: raw write failed"
    need "$work/ro.out" "guest: powering off"
    [ $st -eq 0 ] || bad "vm exited with $st after the read-only boot, not 0"
    cmp -s "$img" "$work/ro.orig" || bad "the read-only image changed"
}

# ---- a full host disk ----
scenario_full() {
    echo "boot-datasafe: a full host disk (prlimit --fsize)"
    local img=$work/full.img limit=$((24 << 20))
    mkimage "$img" 64M
    set +e
    timeout 600 prlimit --fsize=$limit "$vm" run --machine=virt -m 512M -kernel "$kernel" \
        -initrd "$work/initrd.gz" -append "console=ttyS0 quiet datasafe=full" \
        -drive "file=$img,format=raw,if=virtio" "${vmopts[@]}" </dev/null \
        >"$work/full.out" 2>"$work/full.err"
    st=$?
    set -e
    cat "$work/full.out" "$work/full.err"
    if [ $st -eq 124 ]; then
        echo "boot-datasafe: the full-disk boot did not finish within 600 s" >&2
        exit 3
    fi
    need "$work/full.out" "guest: read hello from the host"
    need "$work/full.out" "guest: fill failed: .*(I/O error|Input/output error|No space)"
    need "$work/full.out" "guest: still running after the full disk"
    need "$work/full.out" "guest: powering off"
    local lines
    lines=$(grep -c "^vm: drive " "$work/full.err" || true)
    [ "$lines" -eq 1 ] || bad "vm printed $lines host-error lines, not exactly one"
    grep -q "^vm: drive .*File too large" "$work/full.err" ||
        bad "vm's host-error line does not give the host's error (File too large)"
    [ $st -eq 0 ] || bad "vm exited with $st after the full-disk boot, not the guest's 0"
}

case $only in
"") scenario_kill; scenario_readonly; scenario_full ;;
kill) scenario_kill ;;
readonly) scenario_readonly ;;
full) scenario_full ;;
*)
    echo "boot-datasafe: --only kill|readonly|full, not '$only'" >&2
    exit 1
    ;;
esac
[ $fail -eq 0 ] || exit 1
echo "boot-datasafe: ok"
