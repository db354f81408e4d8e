#!/usr/bin/env bash
# test-debian.sh - real riscv64 programs from Debian (busybox, lua, python) under vm, compared with
# qemu-riscv64 on the same inputs: same stdout, same exit status. (Pipelines run inside
# busybox sh, whose applets fork without exec: qemu-riscv64 cannot exec riscv64 programs.)
#
#   scripts/test-debian.sh VM [CACHE_DIR]
#
# The packages are fetched once into CACHE_DIR (default: $XDG_CACHE_HOME/vm/debian-riscv64).
# Without network access or without qemu-riscv64 the test is skipped, saying why.
set -uo pipefail
vm=$(realpath "$1")
cache=${2:-${XDG_CACHE_HOME:-$HOME/.cache}/vm/debian-riscv64}
here=$(cd "$(dirname "$0")" && pwd)
if ! command -v qemu-riscv64 >/dev/null; then
    echo "test-debian: skipped: qemu-riscv64 is not installed (qemu-user)"
    exit 0
fi
pkgs=(busybox-static lua5.4 liblua5.4-0 libc6 libgcc-s1 libreadline8t64 libstdc++6 libtinfo6
      python3.13-minimal libpython3.13-minimal libexpat1 zlib1g libssl3t64)
if ! "$here/debian-riscv64.sh" "$cache" "${pkgs[@]}"; then
    echo "test-debian: skipped: could not fetch riscv64 packages from Debian (network?)"
    exit 0
fi
root=$cache/root
bb=$root/usr/bin/busybox
lua=$root/usr/bin/lua5.4
py=$root/usr/bin/python3.13
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/t.lua" <<'LUA'
local t = {}
for i = 1, 100000 do t[i] = (i * 7919) % 1000003 end
table.sort(t)
local s = 0
for i = 1, #t, 1000 do s = s + t[i] end
print("sum", s, #t)
print(string.format("%.6f %.3e", math.sin(1.5) * math.sqrt(2), 2 ^ 70))
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1); return b * 2 end)
print(co(1), co(21))
print(io.open("/nonexistent") == nil, pcall(error, "boom"))
print(string.rep("ab", 3), ("x"):byte(), #arg, arg[1])
LUA
cat >"$work/t.py" <<'PY'
import sys, os, math, json, re, collections, itertools, threading
print(sys.version_info[:2], sys.platform, os.uname().machine)
print(sorted(collections.Counter("the quick brown fox jumps over the lazy dog".split()).items())[:3])
print(json.dumps({"a": [1, 2.5, None], "b": "x"}, sort_keys=True))
print(re.sub(r"(\d+)", lambda m: str(int(m.group(1)) * 2), "a1 b22 c333"))
print(sum(itertools.islice((i * i for i in range(10**6)), 1000)), math.factorial(50) % 1000003)
out = []
ts = [threading.Thread(target=lambda k=k: out.append(sum(range(k * 1000)))) for k in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print(sorted(out))
try:
    open("/nonexistent/x")
except OSError as e:
    print("errno", e.errno)
sys.exit(3)
PY
cat >"$work/s.sh" <<'SH'
f() { echo "func $1"; return 3; }
f a; echo "ret $?"
for i in $(seq 1 5); do echo $i; done | sort -r | head -n 2 | tr '\n' ' '; echo
(sleep 0.1; echo bg done) &
wait $!
echo "waited $?"
trap 'echo got USR1' USR1
kill -USR1 $$
sleep 0.05
x=0; while [ $x -lt 200 ]; do x=$((x+1)); done; echo "loop $x"
echo $(( 7 * 6 )) | xargs -n1 echo value
umask 022; umask
cd /tmp && pwd
SH
printf 'one\ntwo\nthree\nfour\n' >"$work/lines.txt"
cases=(
    "$bb echo hello world"
    "$bb ls -l $here"
    "$bb sh -c 'for i in 1 2 3; do echo \$i; done | wc -l'"
    "$bb md5sum $work/lines.txt"
    "$bb sha256sum $work/lines.txt"
    "$bb sort -r $work/lines.txt"
    "$bb awk '{n += length(\$0)} END {print n, NR}' $work/lines.txt"
    "$bb sed -n 2,3p $work/lines.txt"
    "$bb tr a-z A-Z < $work/lines.txt"
    "$bb find $here -name '*.sh'"
    "$bb uname -m"
    "$bb sh $work/s.sh"
    "$bb expr 6 \* 7"
    "$bb ls /nonexistent-dir"
    "$bb sh -c 'gzip -c $work/lines.txt | gzip -dc | tail -n 2'"
    "$bb sh -c 'x=\$(echo sub; exit 3); echo \$x \$?; (exit 5); echo \$?'"
    "$lua $work/t.lua extra-arg"
    "$lua -e 'os.exit(7)'"
    "$py $work/t.py"
)
fail=0
for c in "${cases[@]}"; do
    vm_out=$(eval "$vm run -L $root $c" 2>/dev/null)
    vm_rc=$?
    q_out=$(eval "qemu-riscv64 -L $root $c" 2>/dev/null)
    q_rc=$?
    if [ "$vm_out" != "$q_out" ] || [ $vm_rc -ne $q_rc ]; then
        echo "test-debian: FAIL: $c (vm status $vm_rc, qemu $q_rc)"
        diff <(echo "$vm_out") <(echo "$q_out") | head -10
        fail=1
    else
        echo "test-debian: ok: ${c#$root/usr/bin/} (status $vm_rc)"
    fi
done
exit $fail
