#!/usr/bin/env bash
# jit.sh - the JIT targets, measured in one run: the same riscv64 binaries under qemu-riscv64,
# `vm run --engine=interp` and `vm run --engine=jit`, next to a native x86-64 build of the
# same source, on four workloads:
#
#   mixed    bench/programs/mixed.c (lists, matrices, CRC, state machine, sorting, hashing,
#            calls, floating point), static; hyperfine wall time
#   lua      Debian's riscv64 lua5.4 (scripts/fetch-riscv64.sh, cached sysroot) running
#            bench/guest/lua_mix.lua; native column: the host's lua5.4 when installed
#   memcpy   bench/guest/memcpy_bw.c, static: 1 MiB glibc memcpy in a loop, GB/s as the
#            program measures it (median of runs), native = the host's memcpy
#   startup  bench/guest/hello.c, static; hyperfine -N, many runs
#
# Every executor's output is checked against the reference (native, else the first one that
# ran); a column that cannot run (no qemu-riscv64, no host lua5.4, `--engine=jit` not
# available, the archive unreachable) is skipped with the reason, which lands in the JSON. A
# column whose output differs is not timed, and the script exits 1 at the end. Then, for each
# vm engine, one `vm run --stats` per workload, whose JIT line gives the translation cost.
# bench/jit_summary.py turns OUTDIR into one JSON (ratios, targets) and prints the tables.
# Exit status: 0 measured, 1 some column printed a wrong output or failed, 2 nothing measured
# (a tool is missing, a build failed).
#
#   bench/jit.sh OUTDIR [VM_BINARY]
#
# BENCH_RUNS (default 5) timed runs per executor, BENCH_WARMUP (1) untimed ones before them,
# BENCH_HELLO_RUNS (100) for start-up, BENCH_CPU (default: the last CPU) to pin to,
# BENCH_LUA_SCALE (3), BENCH_MIXED_ROUNDS (12), BENCH_MEMCPY_SECONDS (0.3): workload sizes.
set -uo pipefail

out=${1:?usage: bench/jit.sh OUTDIR [VM_BINARY]}
vm=${2:-build/vm}
here=$(cd "$(dirname "$0")" && pwd)
runs=${BENCH_RUNS:-5}
warmup=${BENCH_WARMUP:-1}
hello_runs=${BENCH_HELLO_RUNS:-100}
lua_scale=${BENCH_LUA_SCALE:-3}
mixed_rounds=${BENCH_MIXED_ROUNDS:-12}
memcpy_seconds=${BENCH_MEMCPY_SECONDS:-0.3}
executors=(native qemu interp jit)
tab=$'\t'

say() { echo "jit-bench: $*" >&2; }
die() { # could not measure at all (exit 1 is kept for a wrong output)
    say "$*"
    exit 2
}

missing=()
for t in hyperfine riscv64-linux-gnu-gcc cc python3; do
    command -v "$t" >/dev/null || missing+=("$t")
done
[ ${#missing[@]} -eq 0 ] || die "cannot run, missing: ${missing[*]}"
[ -x "$vm" ] || die "$vm is not built"
vm=$(realpath "$vm")

cpu=${BENCH_CPU:-auto}
if [ "$cpu" = auto ]; then cpu=$(($(nproc) - 1)); fi
pin=()
command -v taskset >/dev/null && pin=(taskset -c "$cpu")

mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out"/*.json "$out"/*.tsv "$out"/*.out "$out"/*.err "$out"/*.txt
cols=$out/columns.tsv # workload, executor, ok|skipped|wrong, detail
: >"$cols"
failed=0
col() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$cols"; }

{
    echo "runs $runs"
    echo "warmup $warmup"
    echo "hello_runs $hello_runs"
    echo "lua_scale $lua_scale"
    echo "mixed_rounds $mixed_rounds"
    echo "memcpy_seconds $memcpy_seconds"
    echo "pinned_cpu ${pin:+$cpu}"
    echo "vm $vm"
    echo "vm_commit $(git -C "$here" describe --always --dirty 2>/dev/null)"
    echo "hyperfine $(hyperfine --version | head -n 1)"
    echo "cc $(cc --version | head -n 1)"
    echo "riscv64_gcc $(riscv64-linux-gnu-gcc --version | head -n 1)"
    command -v qemu-riscv64 >/dev/null && echo "qemu $(qemu-riscv64 --version | head -n 1)"
    command -v lua5.4 >/dev/null && echo "host_lua $(lua5.4 -v 2>&1 | head -n 1)"
} >"$out/meta.txt"

# ---- builds: the same source natively and for riscv64 (static, no FMA contraction) ----
build() { # NAME SOURCE [extra flags]
    local name=$1 src=$2
    shift 2
    cc -O2 -ffp-contract=off "$@" -o "$out/$name.native" "$src" || die "cannot build $src"
    riscv64-linux-gnu-gcc -O2 -ffp-contract=off -static "$@" -o "$out/$name.rv64" "$src" ||
        die "cannot build $src for riscv64"
}
build mixed "$here/programs/mixed.c"
build memcpy_bw "$here/guest/memcpy_bw.c"
build hello "$here/guest/hello.c" -static
cp "$here/guest/lua_mix.lua" "$out/"

# ---- which executors run; skip reasons ----
declare -A why # executor (or lua.native, lua.*) -> reason it is skipped
qemu=$(command -v qemu-riscv64) || why[qemu]="qemu-riscv64 is not installed (package qemu-user)"
for e in interp jit; do
    # "not available" (or "not supported") skips the column; any other failure is the workloads' to report
    if ! "$vm" run --engine=$e "$out/hello.rv64" >"$out/probe.out" 2>"$out/probe.err" &&
        grep -qiE "not (available|supported)" "$out/probe.err"; then
        why[$e]=$(head -n 1 "$out/probe.err")
    fi
done
root=
if ! root=$("$here/../scripts/fetch-riscv64.sh" lua5.4 2>"$out/fetch.err" | tail -n 1); then
    why[lua]="riscv64 lua5.4 cannot be fetched from Debian's archive: $(tail -n 1 "$out/fetch.err")"
    root=
fi
host_lua=$(command -v lua5.4) || why[lua.native]="lua5.4 is not installed on the host"
for e in "${!why[@]}"; do say "skipped $e: ${why[$e]}"; done

# cmd WORKLOAD EXECUTOR: the command line (words) into the array `c`; empty when skipped
cmd() {
    local w=$1 e=$2 prog args=()
    c=()
    [ -n "${why[$e]:-}" ] && return 1
    case $w in
    mixed) prog=$out/mixed && args=("$mixed_rounds") ;;
    memcpy) prog=$out/memcpy_bw && args=("$memcpy_seconds") ;;
    startup) prog=$out/hello ;;
    lua)
        [ -n "${why[lua]:-}" ] && return 1
        [ "$e" = native ] && [ -n "${why[lua.native]:-}" ] && return 1
        args=(lua_mix.lua "$lua_scale")
        ;;
    esac
    if [ "$w" = lua ]; then
        case $e in
        native) c=("$host_lua" "${args[@]}") ;;
        qemu) c=("$qemu" -L "$root" "$root/usr/bin/lua5.4" "${args[@]}") ;;
        *) c=("$vm" run --engine="$e" -L "$root" "$root/usr/bin/lua5.4" "${args[@]}") ;;
        esac
        return 0
    fi
    case $e in
    native) c=("$prog.native" "${args[@]}") ;;
    qemu) c=("$qemu" "$prog.rv64" "${args[@]}") ;;
    *) c=("$vm" run --engine="$e" "$prog.rv64" "${args[@]}") ;;
    esac
}

skip_reason() { # WORKLOAD EXECUTOR
    local w=$1 e=$2
    if [ -n "${why[$e]:-}" ]; then
        echo "${why[$e]}"
    elif [ "$w" = lua ] && [ -n "${why[lua]:-}" ]; then
        echo "${why[lua]}"
    elif [ "$w" = lua ]; then
        echo "${why[lua.native]:-}"
    fi
}

# first_difference WANT GOT: where two outputs part, in words
first_difference() {
    local -a a b
    local i
    mapfile -t a <<<"$1"
    mapfile -t b <<<"$2"
    for ((i = 0; i < ${#a[@]} || i < ${#b[@]}; i++)); do
        [ "${a[i]-<end>}" = "${b[i]-<end>}" ] && continue
        echo "output line $((i + 1)) is '${b[i]-<end>}', expected '${a[i]-<end>}'"
        return
    done
}

# check WORKLOAD: run every executor once, compare stdout (memcpy: its first line) with the
# reference; fills `timed` with "-n NAME 'command'" pairs for hyperfine
check() {
    local w=$1 e ref='' got
    timed=()
    for e in "${executors[@]}"; do
        if ! cmd "$w" "$e"; then
            col "$w" "$e" skipped "$(skip_reason "$w" "$e")"
            continue
        fi
        if ! got=$(cd "$out" && timeout 600 "${c[@]}" 2>"$out/$w.$e.err"); then
            col "$w" "$e" wrong "exited with an error: $(head -n 1 "$out/$w.$e.err")"
            say "$w: $e failed: $(head -n 1 "$out/$w.$e.err")"
            failed=1
            continue
        fi
        [ "$w" = memcpy ] && got=$(echo "$got" | head -n 1)
        echo "$got" >"$out/$w.$e.out"
        if [ -z "$ref" ]; then
            ref=$got
        elif [ "$got" != "$ref" ]; then
            col "$w" "$e" wrong "$(first_difference "$ref" "$got")"
            say "$w: $e printed a different output (not timed): see $out/$w.$e.out"
            failed=1
            continue
        fi
        col "$w" "$e" ok "${c[*]}"
        local q
        q=$(printf '%q ' "${c[@]}")
        timed+=(-n "$e" "${q% }")
    done
}

# ---- 1. whole programs ----
# Each workload is timed in rounds, one hyperfine call over all columns per round (its order
# reversed every other round), so that load arriving elsewhere on the machine in the middle
# of the run is shared by the columns instead of landing on one of them. Warm-up runs only
# in the first round. bench/jit_summary.py pools the rounds' times.
for w in mixed lua startup; do
    check "$w"
    [ ${#timed[@]} -gt 0 ] || continue
    rounds=$runs per=1 wu=$warmup
    [ "$w" = startup ] && rounds=10 per=$(((hello_runs + 9) / 10)) wu=5
    rev=()
    for ((i = ${#timed[@]} - 3; i >= 0; i -= 3)); do rev+=("${timed[@]:i:3}"); done
    say "$w: timing $((${#timed[@]} / 3)) columns with hyperfine, $rounds rounds of $per run(s)"
    : >"$out/$w.hyperfine.txt"
    for ((k = 1; k <= rounds; k++)); do
        order=("${timed[@]}")
        [ $((k % 2)) = 0 ] && order=("${rev[@]}")
        if ! (cd "$out" && "${pin[@]}" hyperfine -N --style basic --warmup "$wu" --runs "$per" \
            --export-json "$out/$w.r$k.json" "${order[@]}") >>"$out/$w.hyperfine.txt" 2>&1; then
            say "$w: hyperfine failed (a command failed in a timed run?): see $out/$w.hyperfine.txt"
            tail -n 3 "$out/$w.hyperfine.txt" >&2
            failed=1
            break
        fi
        wu=0
    done
done

# memcpy: the program measures its own bandwidth; the executors take turns, run after run,
# so that a burst of load elsewhere on the machine hits all of them alike
check memcpy
: >"$out/memcpy.tsv"
say "memcpy: $runs rounds of one run per column"
for _ in $(seq "$runs"); do
    for e in "${executors[@]}"; do
        grep -q "^memcpy$tab$e${tab}ok" "$cols" || continue
        cmd memcpy "$e"
        gbs=$("${pin[@]}" timeout 600 "${c[@]}" | sed -n 's/^GB\/s: //p')
        printf '%s\t%s\n' "$e" "$gbs" >>"$out/memcpy.tsv"
    done
done

# ---- 2. translation cost: one --stats run per workload and vm engine ----
for e in interp jit; do
    [ -n "${why[$e]:-}" ] && continue
    for w in mixed lua memcpy startup; do
        grep -q "^$w$tab$e${tab}ok" "$cols" || continue
        cmd "$w" "$e"
        # `vm run --stats` goes right after `run`
        (cd "$out" && "${c[0]}" run --stats "${c[@]:2}" >/dev/null 2>"$out/$w.$e.stats.txt") ||
            say "$w: $e --stats run failed"
    done
done

if [ $failed = 1 ]; then
    say "some executors printed a wrong output or failed (columns marked 'wrong')"
fi
exit $failed
