#!/usr/bin/env bash
# jit.sh - the JIT targets, measured in one run: the same riscv64 binaries under qemu-riscv64,
# `vm run --engine=interp` and `vm run --engine=jit`, next to a native x86-64 build of the
# same source (or the host's own build of the same tool), on these workloads:
#
#   mixed    bench/programs/mixed.c (lists, matrices, CRC, state machine, sorting, hashing,
#            calls, floating point), static; hyperfine wall time
#   lua      Debian's riscv64 lua5.4 (scripts/fetch-riscv64.sh, cached sysroot) running
#            bench/guest/lua_mix.lua; native column: the host's lua5.4 when installed
#   memcpy   bench/guest/memcpy_bw.c, static: 1 MiB glibc memcpy in a loop, GB/s as the
#            program measures it (median of runs), native = the host's memcpy
#   startup  bench/guest/hello.c, static; hyperfine -N, many runs
#   sha256   bench/programs/sha256.c, static: SHA-256 compression rounds in plain C over a
#            buffer (a register-pressure kernel), prints the digest
#   nbody    bench/programs/nbody.c, static: a single-precision n-body simulation whose inner
#            loop is fused multiply-adds, a square root and a division (fmaf: fmadd.s), with
#            float-to-int and int-to-float conversions each step; prints a checksum
#   sha256sum, gzip, bzip2, xz, zstd
#            Debian's riscv64 tools (coreutils, gzip, bzip2, xz-utils, zstd from the cached
#            sysroot) on one deterministic input (bench/mkinput.py: 4 MiB of text-like and
#            random-ish chunks from a fixed seed): `sha256sum`, `gzip -6 -n`, `bzip2`,
#            `xz -1 -T1`, `zstd -3 --single-thread`, compressed data to stdout; native column:
#            the host's own tool when installed (another version: its bytes may differ)
#
# Outputs of the tool workloads: sha256sum's line must equal the reference; a compressor's
# output must decompress (with the host's tool, else the riscv64 one under the interpreter)
# to the input, and every riscv64 column (qemu, interp, jit: one binary) must write the very
# same bytes as the first riscv64 column that ran. Whether those bytes also equal the host
# tool's goes to bytes.tsv, for the record only (a different version may compress otherwise).
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
# BENCH_LUA_SCALE (3), BENCH_MIXED_ROUNDS (12), BENCH_MEMCPY_SECONDS (0.3): workload sizes;
# BENCH_SHA_PASSES (64, passes of 256 KiB), BENCH_NBODY_STEPS (150), BENCH_TOOL_MIB (4: the tools' input),
# BENCH_TOOLS ("sha256sum gzip bzip2 xz zstd": which tool workloads run; empty for none),
# BENCH_TOOL_INTERP (1; 0 leaves the interpreter out of the tool workloads, the slowest runs),
# BENCH_WORKLOADS (default all: "mixed lua sha256 nbody startup memcpy" and the tools) to run a
# subset.
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
sha_passes=${BENCH_SHA_PASSES:-64}
nbody_steps=${BENCH_NBODY_STEPS:-150}
tool_mib=${BENCH_TOOL_MIB:-4}
tools=${BENCH_TOOLS-sha256sum gzip bzip2 xz zstd}
tool_interp=${BENCH_TOOL_INTERP:-1}
workloads=${BENCH_WORKLOADS:-mixed lua sha256 nbody startup memcpy $tools}
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
rm -f "$out"/*.json "$out"/*.tsv "$out"/*.out "$out"/*.err "$out"/*.txt "$out"/*.bin
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
    echo "sha_passes $sha_passes"
    echo "nbody_steps $nbody_steps"
    echo "tool_mib $tool_mib"
    echo "tools $tools"
    echo "tool_interp $tool_interp"
    echo "workloads $workloads"
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
    cc -O2 -ffp-contract=off "$@" -o "$out/$name.native" "$src" -lm || die "cannot build $src"
    riscv64-linux-gnu-gcc -O2 -ffp-contract=off -static "$@" -o "$out/$name.rv64" "$src" -lm ||
        die "cannot build $src for riscv64"
}
build mixed "$here/programs/mixed.c"
build sha256 "$here/programs/sha256.c"
build nbody "$here/programs/nbody.c"
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
# the Debian tools: one sysroot (the same cache as lua5.4's), one input file
declare -A pkg=([sha256sum]=coreutils [gzip]=gzip [bzip2]=bzip2 [xz]=xz-utils [zstd]=zstd)
declare -A targs=([sha256sum]="input.bin" [gzip]="-6 -n -c input.bin" [bzip2]="-c input.bin"
    [xz]="-1 -T1 -c input.bin" [zstd]="-3 --single-thread -q -c input.bin")
is_tool() { [ -n "${pkg[$1]:-}" ]; }
want_tools=()
for w in $workloads; do is_tool "$w" && want_tools+=("$w"); done
troot=
if [ ${#want_tools[@]} -gt 0 ]; then
    pkgs=()
    for w in "${want_tools[@]}"; do pkgs+=("${pkg[$w]}"); done
    if ! troot=$("$here/../scripts/fetch-riscv64.sh" "${pkgs[@]}" 2>"$out/fetch-tools.err" |
        tail -n 1); then
        why[tools]="riscv64 ${pkgs[*]} cannot be fetched from Debian's archive:"
        why[tools]+=" $(tail -n 1 "$out/fetch-tools.err")"
        troot=
    fi
    python3 "$here/mkinput.py" "$out/input.bin" "$tool_mib" || die "cannot write the input file"
    for w in "${want_tools[@]}"; do
        command -v "$w" >/dev/null || why[$w.native]="$w is not installed on the host"
    done
    [ "$tool_interp" = 1 ] || why[tools.interp]="left out (BENCH_TOOL_INTERP=0)"
fi
for e in "${!why[@]}"; do say "skipped $e: ${why[$e]}"; done

# cmd WORKLOAD EXECUTOR: the command line (words) into the array `c`; empty when skipped
cmd() {
    local w=$1 e=$2 prog args=()
    c=()
    [ -n "${why[$e]:-}" ] && return 1
    case $w in
    mixed) prog=$out/mixed && args=("$mixed_rounds") ;;
    sha256) prog=$out/sha256 && args=("$sha_passes") ;;
    nbody) prog=$out/nbody && args=("$nbody_steps") ;;
    memcpy) prog=$out/memcpy_bw && args=("$memcpy_seconds") ;;
    startup) prog=$out/hello ;;
    lua)
        [ -n "${why[lua]:-}" ] && return 1
        [ "$e" = native ] && [ -n "${why[lua.native]:-}" ] && return 1
        args=(lua_mix.lua "$lua_scale")
        ;;
    *)
        is_tool "$w" || return 1
        [ -n "${why[tools]:-}" ] && return 1
        [ "$e" = native ] && [ -n "${why[$w.native]:-}" ] && return 1
        [ "$e" = interp ] && [ -n "${why[tools.interp]:-}" ] && return 1
        read -r -a args <<<"${targs[$w]}"
        case $e in
        native) c=("$(command -v "$w")" "${args[@]}") ;;
        qemu) c=("$qemu" -L "$troot" "$troot/usr/bin/$w" "${args[@]}") ;;
        *) c=("$vm" run --engine="$e" -L "$troot" "$troot/usr/bin/$w" "${args[@]}") ;;
        esac
        return 0
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
    elif is_tool "$w"; then
        [ -n "${why[tools]:-}" ] && echo "${why[tools]}" && return
        [ "$e" = interp ] && echo "${why[tools.interp]:-}" && return
        echo "${why[$w.native]:-}"
    fi
}

# decompress WORKLOAD < compressed > data: the host's tool, else the riscv64 one under vm's
# interpreter
decompress() {
    if command -v "$1" >/dev/null; then
        "$1" -dc
    else
        "$vm" run --engine=interp -L "$troot" "$troot/usr/bin/$1" -dc
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
    local w=$1 e ref='' got bytes=''
    timed=()
    # a compressor's reference is the input itself: what every column's output decompresses to
    if is_tool "$w" && [ "$w" != sha256sum ]; then
        ref=$(sha256sum <"$out/input.bin" | cut -d ' ' -f 1)
    fi
    for e in "${executors[@]}"; do
        if ! cmd "$w" "$e"; then
            col "$w" "$e" skipped "$(skip_reason "$w" "$e")"
            continue
        fi
        if is_tool "$w"; then
            if ! (cd "$out" && timeout 600 "${c[@]}" >"$out/$w.$e.bin" 2>"$out/$w.$e.err"); then
                col "$w" "$e" wrong "exited with an error: $(head -n 1 "$out/$w.$e.err")"
                say "$w: $e failed: $(head -n 1 "$out/$w.$e.err")"
                failed=1
                continue
            fi
            if [ "$w" = sha256sum ]; then
                got=$(cat "$out/$w.$e.bin")
            else
                got=$(decompress "$w" <"$out/$w.$e.bin" 2>/dev/null | sha256sum | cut -d ' ' -f 1)
                if [ "$e" != native ]; then # one riscv64 binary: the same bytes everywhere
                    if [ -z "$bytes" ]; then
                        bytes=$e
                    elif ! cmp -s "$out/$w.$bytes.bin" "$out/$w.$e.bin"; then
                        col "$w" "$e" wrong "compressed bytes differ from $bytes's"
                        say "$w: $e wrote other bytes than $bytes (not timed)"
                        failed=1
                        continue
                    fi
                    if [ -e "$out/$w.native.bin" ]; then
                        cmp -s "$out/$w.native.bin" "$out/$w.$e.bin" && same=identical ||
                            same=differs
                        printf '%s\t%s\t%s\n' "$w" "$e" "$same" >>"$out/bytes.tsv"
                    fi
                fi
            fi
        elif ! got=$(cd "$out" && timeout 600 "${c[@]}" 2>"$out/$w.$e.err"); then
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
for w in $workloads; do
    [ "$w" = memcpy ] && continue
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
timed=()
: >"$out/memcpy.tsv"
[[ " $workloads " == *" memcpy "* ]] && check memcpy &&
    say "memcpy: $runs rounds of one run per column"
for _ in $(seq "$runs"); do
    [[ " $workloads " == *" memcpy "* ]] || break
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
    for w in $workloads; do
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
