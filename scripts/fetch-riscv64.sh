#!/usr/bin/env bash
# fetch-riscv64.sh - fetch riscv64 programs from Debian's archive and unpack them, with their
# whole dependency closure, into a sysroot for `vm run -L` and `qemu-riscv64 -L`.
#
#   scripts/fetch-riscv64.sh [-c CACHE_DIR] PKG...
#
# Prints the sysroot's path (CACHE_DIR/sysroot) on stdout. CACHE_DIR defaults to $VM_CACHE,
# else ~/.cache/vm/riscv64. Exit status: 0 done, 2 the archive could not be reached (no
# network: callers skip their tests), 1 any other error (unknown package, broken cache...).
#
# Debian carries riscv64 in the `sid` suite only. apt runs with a private configuration that
# lives entirely in CACHE_DIR (sources list, package lists, downloaded .debs, an empty dpkg
# status so that the closure includes the C library), so the host's own apt state is neither
# read nor changed. The closure is taken from apt's simulation (`-s install`), downloaded with
# `install --download-only` and unpacked with `dpkg-deb -x`; the merged-/usr links (lib, bin,
# sbin -> usr/...) let PT_INTERP /lib/ld-linux-riscv64-lp64d.so.1 resolve inside the sysroot.
#
# Idempotent and cheap when cached: packages already unpacked are neither looked up nor
# fetched again (no network is touched). A lock serialises concurrent runs on one cache.
set -euo pipefail

usage() {
    echo "usage: $0 [-c CACHE_DIR] PKG..." >&2
    exit 1
}

cache=${VM_CACHE:-${HOME:-/tmp}/.cache/vm/riscv64}
while getopts c:h opt; do
    case $opt in
    c) cache=$OPTARG ;;
    *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage
mirror=${VM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

say() { echo "fetch-riscv64: $*" >&2; }
die() {
    say "$2"
    exit "$1"
}

for tool in apt-get dpkg-deb flock; do
    command -v $tool >/dev/null || die 1 "$tool is missing (a Debian host is needed)"
done
[ -r $keyring ] || die 1 "$keyring is missing (package debian-archive-keyring)"

mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
root=$cache/sysroot
exec 9>"$cache/lock"
flock -w 900 9 || die 1 "timed out waiting for the lock on $cache"

have_all() {
    local p
    for p in "$@"; do
        [ -e "$root/.vm-pkgs/$p" ] || return 1
    done
}
if have_all "$@"; then
    echo "$root"
    exit 0
fi

mkdir -p "$cache"/lists/partial "$cache"/archives/partial "$cache"/apt "$cache"/state \
    "$root"/.vm-pkgs "$root"/.vm-debs
: >"$cache/state/status"
echo "deb [arch=riscv64 signed-by=$keyring] $mirror sid main" >"$cache/sources.list"
opts=(-q -oAPT::Architecture=riscv64 -oAPT::Architectures=riscv64
    -oDir::Etc::SourceList="$cache/sources.list" -oDir::Etc::SourceParts=/dev/null
    -oDir::Etc::Preferences=/dev/null -oDir::Etc::PreferencesParts=/dev/null
    -oDir::State="$cache/state" -oDir::State::Lists="$cache/lists"
    -oDir::State::Status="$cache/state/status" -oDir::Cache="$cache/apt"
    -oDir::Cache::Archives="$cache/archives" -oAcquire::Languages=none
    -oAcquire::http::Timeout=20 -oAcquire::Retries=1 -oDebug::NoLocking=1
    -oAPT::Sandbox::User="$(id -un)" -oAPT::Install-Recommends=false)

update_lists() {
    rm -f "$cache"/lists/*_Packages* "$cache"/lists/*Release*
    say "updating the riscv64 package lists from $mirror (sid)"
    apt-get "${opts[@]}" update >"$cache/update.log" 2>&1 || true
    if ! ls "$cache"/lists/*_Packages* >/dev/null 2>&1; then
        sed 's/^/  /' "$cache/update.log" | tail -5 >&2
        die 2 "could not download the package lists from $mirror (no network?)"
    fi
}
ls "$cache"/lists/*_Packages* >/dev/null 2>&1 || update_lists

# closure: "Inst NAME (VERSION Suite [ARCH])" lines of the simulation
if ! sim=$(apt-get "${opts[@]}" -s install "$@" 2>&1); then
    echo "$sim" | grep '^E:' >&2 || true
    die 1 "apt cannot resolve: $*"
fi
mapfile -t debs < <(echo "$sim" | sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) [^[]*\[\([^]]*\)\]).*/\1_\2_\3.deb/p' |
    sed 's/:/%3a/g')
[ ${#debs[@]} -gt 0 ] || die 1 "empty closure for: $*"

download() {
    apt-get "${opts[@]}" -y install --download-only "$@" >"$cache/download.log" 2>&1
}
missing=0
for d in "${debs[@]}"; do
    [ -e "$root/.vm-debs/$d" ] || [ -e "$cache/archives/$d" ] || missing=1
done
if [ $missing = 1 ]; then
    say "downloading ${#debs[@]} packages: $*"
    if ! download "$@"; then
        # sid moves fast: a stale list names versions the mirror no longer has
        update_lists
        if ! download "$@"; then
            sed 's/^/  /' "$cache/download.log" | tail -5 >&2
            die 2 "could not download from $mirror (no network?)"
        fi
    fi
fi

for d in "${debs[@]}"; do
    [ -e "$root/.vm-debs/$d" ] && continue
    [ -e "$cache/archives/$d" ] || die 1 "apt did not leave $d in $cache/archives"
    dpkg-deb -x "$cache/archives/$d" "$root" || die 1 "cannot unpack $d"
    touch "$root/.vm-debs/$d"
done
for l in lib bin sbin; do
    if [ ! -e "$root/$l" ] && [ ! -L "$root/$l" ]; then
        ln -s usr/$l "$root/$l"
    fi
done
for p in "$@"; do
    touch "$root/.vm-pkgs/$p"
done
echo "$root"
