#!/usr/bin/env bash
# debian-riscv64.sh - fetch riscv64 packages from Debian sid (the suite that carries the
# riscv64 architecture) and unpack them into a sysroot, for running real programs under vm.
#
#   scripts/debian-riscv64.sh DIR PKG...
#
# DIR holds a private apt state (lists, archives) and the unpacked sysroot DIR/root, with the
# merged-/usr links (lib -> usr/lib, bin -> usr/bin) so that PT_INTERP
# /lib/ld-linux-riscv64-lp64d.so.1 resolves under `vm run -L DIR/root`. Nothing outside DIR
# is touched; packages already unpacked are not fetched again.
set -euo pipefail
dir=$1
shift
mkdir -p "$dir"/lists/partial "$dir"/archives/partial "$dir"/cache "$dir"/root
dir=$(cd "$dir" && pwd)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
mirror=${VM_DEBIAN_MIRROR:-http://deb.debian.org/debian}
echo "deb [arch=riscv64 signed-by=$keyring] $mirror sid main" >"$dir/sources.list"
opts=(-q -oAPT::Architecture=riscv64 -oAPT::Architectures=riscv64
      -oDir::Etc::SourceList="$dir/sources.list" -oDir::Etc::SourceParts=/dev/null
      -oDir::State::Lists="$dir/lists" -oDir::Cache="$dir/cache"
      -oDir::Cache::archives="$dir/archives" -oDir::State::Status=/dev/null
      -oDebug::NoLocking=1 -oAPT::Sandbox::User=root)
missing=()
for p in "$@"; do
    [ -e "$dir/root/.have-$p" ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ -z "$(ls "$dir/lists" 2>/dev/null | grep -v partial || true)" ]; then
    apt-get "${opts[@]}" update >/dev/null
fi
(cd "$dir/archives" && apt-get "${opts[@]}" download "${missing[@]}" >/dev/null)
for p in "${missing[@]}"; do
    for deb in "$dir"/archives/"${p}"_*.deb; do
        dpkg-deb -x "$deb" "$dir/root"
    done
    touch "$dir/root/.have-$p"
done
[ -e "$dir/root/lib" ] || ln -s usr/lib "$dir/root/lib"
[ -e "$dir/root/bin" ] || ln -s usr/bin "$dir/root/bin"
