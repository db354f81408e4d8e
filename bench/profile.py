#!/usr/bin/env python3
"""Where vm's time goes, per bench-jit workload: a `perf record` of each JIT column.

bench/jit.sh leaves in its output directory the exact command of every column
(`columns.tsv`). This script runs the `jit` column of each workload named (default: every
one that ran) once more under `perf record -e cpu-clock`, with `--perf-map` so that perf
names each translation (`vm-guest-0x<pc>`), and sorts the samples into places:

  translated code    samples in translations (the perf map's symbols), by translation
  jit stubs          samples in the code cache outside any translation (the dispatcher's
                     entry and exit stubs, the return and lookup trampolines)
  vm: <source file>  samples in vm's own C code, by the source file that defines the
                     function (found with `nm` over the build's object files), so that
                     translation (src/jit/...), decoding (src/riscv/decode.c, src/exec/
                     icache.c), the interpreter, lookups and system calls are told apart
  libc, libm, ...    the host's shared libraries
  host kernel        system calls, page faults, the host's own work for the process

It prints one Markdown table per workload (share of samples, and the top translations and
vm functions), which is what the issue's "explain each miss with a profile" asks for.

With --icount it instead counts the host instructions each column executes (valgrind's
lackey, translated code included; slow: about a minute per second of the program) for the
native build, qemu-riscv64 and vm's JIT: the ratio of instruction counts says how much of a
gap is work (instructions) rather than speed per instruction.

Usage: bench/profile.py [--icount] OUT [WORKLOAD...]
  OUT       the directory of a bench/jit.sh run (its columns.tsv and inputs)
  BUILD     environment: the build directory whose object files name vm's functions
            (default: the directory of the vm binary in the command, else ./build)
  PROFILE_FREQ  sampling frequency (default 4999)
"""

import collections
import os
import re
import shlex
import subprocess
import sys


def die(msg):
    print(f"profile: {msg}", file=sys.stderr)
    sys.exit(1)


def read_columns(out, executor="jit"):
    """workload -> the command of its `executor` column (jit, native, qemu, interp) that ran."""
    path = os.path.join(out, "columns.tsv")
    if not os.path.exists(path):
        die(f"{path} not found: run bench/jit.sh OUT first")
    cols = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) >= 4 and parts[1] == executor and parts[2] == "ok":
                cols[parts[0]] = parts[3]
    return cols


def lackey_count(out, cmd, is_vm):
    """Host instructions the command executes, counted by valgrind's lackey (translated code
    included: --smc-check=all). vm runs under a 16 GiB address-space limit there: its guest
    space then fits beside valgrind's own mappings (docs: the `ulimit -v` rule)."""
    import resource

    def limit():
        if is_vm:
            resource.setrlimit(resource.RLIMIT_AS, (16 << 30, 16 << 30))

    argv = ["valgrind", "--tool=lackey", "--basic-counts=yes", "--smc-check=all"]
    st = subprocess.run(argv + shlex.split(cmd), cwd=out, stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE, text=True, preexec_fn=limit)
    m = re.search(r"guest instrs:\s+([\d,]+)", st.stderr)
    if st.returncode != 0 or not m:
        die(f"valgrind failed on `{cmd}` ({st.returncode}): {st.stderr.strip()[-300:]}")
    return int(m.group(1).replace(",", ""))


def retired(out, work):
    """Guest instructions the jit column retired (its --stats file), or None."""
    try:
        with open(os.path.join(out, f"{work}.jit.stats.txt")) as f:
            m = re.search(r"instructions retired\s+(\d+)", f.read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def icounts(out, works):
    """The instruction-count table: native, qemu-riscv64 and vm's JIT on each workload."""
    cols = {e: read_columns(out, e) for e in ("native", "qemu", "jit")}
    print("| workload | guest insns | native x86-64 | qemu-riscv64 | vm jit | vm host insns "
          "per guest insn | vm / native | qemu / vm |")
    print("|---|---|---|---|---|---|---|---|")
    for w in works:
        n = {e: lackey_count(out, cols[e][w], e == "jit") if w in cols[e] else None
             for e in cols}
        g = retired(out, w)

        def fmt(v):
            return f"{v / 1e6:.1f} M" if v else "-"

        def ratio(a, b):
            return f"{a / b:.2f}" if a and b else "-"

        print(f"| {w} | {fmt(g)} | {fmt(n['native'])} | {fmt(n['qemu'])} | {fmt(n['jit'])} | "
              f"{ratio(n['jit'], g)} | {ratio(n['jit'], n['native'])} | "
              f"{ratio(n['qemu'], n['jit'])} |", flush=True)


def symbol_sources(build):
    """vm's function name -> source file, from the object files of the build."""
    src = {}
    for root, _dirs, files in os.walk(build):
        for name in files:
            if not name.endswith(".c.o"):
                continue
            obj = os.path.join(root, name)
            # build/src/jit/CMakeFiles/vm_jit.dir/x86_64/ir_lower.c.o -> src/jit/x86_64/ir_lower.c
            rel = os.path.relpath(obj, build)
            m = re.match(r"(.*)/CMakeFiles/[^/]+\.dir/(.*)\.o$", rel)
            if not m:
                continue
            source = os.path.join(m.group(1), m.group(2))
            if not source.startswith("src/"):
                continue
            try:
                listing = subprocess.run(["nm", "--defined-only", obj], capture_output=True,
                                         text=True, check=True).stdout
            except (OSError, subprocess.CalledProcessError):
                continue
            for row in listing.splitlines():
                f = row.split()
                if len(f) == 3 and f[1] in "tTwW":
                    # a static function may share its name with another file's: first wins
                    src.setdefault(f[2], source)
    return src


def classify(report, sources):
    """Samples of a `perf report --sort dso,sym -F overhead,sample,dso,sym` listing by place,
    by translation (guest pc as hex text) and by vm function; and their total."""
    places = collections.Counter()
    guest = collections.Counter()
    funcs = collections.Counter()
    total = 0
    for line in report.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\d+)\s+(.*?)\s+\[(.)\]\s+(.*?)\s*$", line)
        if not m:
            continue
        n = int(m.group(2))
        dso, kind, sym = m.group(3), m.group(4), m.group(5)
        total += n
        if sym.startswith("vm-guest-0x"):
            places["translated code"] += n
            guest[sym[len("vm-guest-"):]] += n
        elif kind == "k" or dso.startswith("[kernel"):
            places["host kernel"] += n
        elif dso == "vm":
            name = re.sub(r"\.(part|isra|constprop|cold)\b.*$", "", sym.split("@")[0])
            where = sources.get(name, "other")
            places[f"vm: {where}"] += n
            funcs[name] += n
        elif dso.startswith(("perf-", "[JIT]", "[unknown]", "//anon")):
            places["jit stubs"] += n
        else:
            base = dso.split(".so")[0]
            places[base] += n
    return total, places, guest, funcs


def guest_symbols(argv, out):
    """Sorted (address, name) of the guest program's functions when it is a static, non-PIE
    riscv64 ELF (its pcs are its link addresses), else []."""
    for a in argv[argv.index("run") + 1:]:
        path = a if os.path.isabs(a) else os.path.join(out, a)
        if a.startswith("-") or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            head = f.read(18)
        if head[:4] != b"\x7fELF" or head[16] != 2:  # ET_EXEC only
            return []
        try:
            listing = subprocess.run(["riscv64-linux-gnu-nm", "-n", "--defined-only", path],
                                     capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return []
        syms = []
        for row in listing.splitlines():
            f = row.split()
            if len(f) == 3 and f[1] in "tTwW":
                syms.append((int(f[0], 16), f[2]))
        return syms
    return []


def guest_name(syms, pc):
    """The guest function that holds pc, as "pc (function+offset)", or the pc alone."""
    best = None
    for addr, name in syms:
        if addr > pc:
            break
        best = (addr, name)
    return f"{pc:#x} ({best[1]}+{pc - best[0]:#x})" if best else f"{pc:#x}"


def profile(out, work, cmd, sources, freq):
    argv = shlex.split(cmd)
    try:
        i = argv.index("run")
    except ValueError:
        die(f"{work}: no 'run' in the command: {cmd}")
    argv.insert(i + 1, "--perf-map")
    data = os.path.join(out, f"{work}.perf.data")
    rec = ["perf", "record", "-q", "-e", "cpu-clock", "-F", str(freq), "-o", data, "--"] + argv
    with open(os.devnull, "w") as null:
        st = subprocess.run(rec, cwd=out, stdout=null, stderr=subprocess.PIPE, text=True)
    if st.returncode != 0:
        die(f"{work}: perf record failed ({st.returncode}): {st.stderr.strip()[:300]}")
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "-q",
                          "--sort", "dso,sym", "-F", "overhead,sample,dso,sym"],
                         capture_output=True, text=True)
    if rep.returncode != 0:
        die(f"{work}: perf report failed: {rep.stderr.strip()[:300]}")
    total, places, guest, funcs = classify(rep.stdout, sources)
    syms = guest_symbols(argv, out)
    named = collections.Counter()
    for pc, n in guest.items():
        named[guest_name(syms, int(pc, 16))] += n
    return total, places, named, funcs


def table(title, counter, total, top):
    print(f"| {title} | samples | share |")
    print("|---|---|---|")
    for name, n in counter.most_common(top):
        print(f"| {name} | {n} | {100.0 * n / total:.1f}% |")
    print()


def main():
    if len(sys.argv) < 2:
        print(__doc__.split("Usage:")[1].strip(), file=sys.stderr)
        sys.exit(2)
    args = sys.argv[1:]
    count = "--icount" in args
    args = [a for a in args if a != "--icount"]
    out = args[0]
    cols = read_columns(out)
    works = args[1:] or [w for w in cols if w != "startup"]
    freq = int(os.environ.get("PROFILE_FREQ", "4999"))
    for w in works:
        if w not in cols:
            die(f"{w}: no jit column that ran in {out}/columns.tsv")
    if count:
        icounts(out, works)
        return
    build = os.environ.get("BUILD")
    if not build:
        vm = next((a for a in shlex.split(next(iter(cols.values()))) if a.endswith("/vm")), "")
        build = os.path.dirname(vm) or "build"
    sources = symbol_sources(build)
    if not sources:
        die(f"no object files under {build}: set BUILD to vm's build directory")
    for w in works:
        total, places, guest, funcs = profile(out, w, cols[w], sources, freq)
        if not total:
            die(f"{w}: no samples")
        print(f"### {w}: {total} samples (`{cols[w]}`)\n")
        table("where", places, total, 12)
        table("translation (guest pc)", guest, total, 5)
        table("vm function", funcs, total, 8)


if __name__ == "__main__":
    main()
