#!/usr/bin/env bash
# sysroot.sh VM PROG EXPECTED [VM OPTIONS...] - run the static riscv64 program PROG (built from
# sysroot.c) as /usr/bin/first inside a scratch sysroot R with `vm run -L R`, three times
# (plain, through a #! script, through execveat), and compare stdout with EXPECTED; then check that the files the guest
# created under /usr/share landed in R and not on the host.
set -u
vm=$1 prog=$2 expected=$3
shift 3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
R=$tmp/R
mkdir -p "$R/usr/bin" "$R/usr/share" "$R/etc"
cp "$prog" "$R/usr/bin/first"
cp "$prog" "$R/usr/bin/second"
echo marker >"$R/usr/share/marker"
printf '#!/usr/bin/second script-arg\n' >"$R/usr/bin/script"
chmod +x "$R/usr/bin/script"
cd "$tmp" || exit 1
{
    "$vm" run -L "$R" --argv0 first "$@" "$R/usr/bin/first"
    echo "exit status $?"
    rm -rf "$R/usr/share/renamed" "$R/usr/share/newdir" "$R/usr/share/link"
    "$vm" run -L "$R" --argv0 first "$@" "$R/usr/bin/first" script
    echo "exit status $?"
    ln -s second "$R/usr/bin/link"
    "$vm" run -L "$R" --argv0 first "$@" "$R/usr/bin/first" execveat
    echo "exit status $?"
} >"$tmp/got" 2>&1
for f in renamed newdir link; do
    [ -e "$R/usr/share/$f" ] || [ -L "$R/usr/share/$f" ] || echo "missing in the sysroot: /usr/share/$f" >>"$tmp/got"
    [ -e "/usr/share/$f" ] && echo "created on the host: /usr/share/$f" >>"$tmp/got"
done
diff -u "$expected" "$tmp/got" || { echo "FAIL: output differs from $expected"; exit 1; }
echo "sysroot: output as expected"
