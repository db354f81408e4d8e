#!/bin/sh
# check_install.sh BUILD_DIR EXAMPLE_C CC - install libvm from BUILD_DIR into a scratch
# prefix, then build EXAMPLE_C with pkg-config against it, once shared and once static, and
# run both. Fails on any missing header, library or pkg-config entry.
set -eu
build=$1 example=$2 cc=$3
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
for f in include/vm/vm.h include/vm/mem.h lib/libvm.a lib/pkgconfig/vm.pc bin/vm; do
    [ -e "$prefix/$f" ] || { echo "check_install: $f was not installed" >&2; exit 1; }
done
ls "$prefix"/lib/libvm.so.* >/dev/null
# shellcheck disable=SC2046 # pkg-config prints several words on purpose
"$cc" -o "$prefix/embed-shared" "$example" $(pkg-config --cflags --libs vm)
LD_LIBRARY_PATH="$prefix/lib" "$prefix/embed-shared"
# shellcheck disable=SC2046
"$cc" -static-libgcc -o "$prefix/embed-static" "$example" $(pkg-config --cflags vm) \
    "$prefix/lib/libvm.a" $(pkg-config --libs-only-other --libs-only-l --static vm | sed 's/-lvm//')
"$prefix/embed-static"
"$prefix/bin/vm" --version
echo "check_install: installed headers, libvm.so, libvm.a, vm.pc and vm work"
