#!/usr/bin/env python3
"""report - turn one vm-bench JSON result into docs/performance.md and its plots.

    python3 bench/report.py RESULTS.json --out docs/performance.md --plots docs/plots

Reads the repetitions of every benchmark (Google Benchmark JSON), takes medians and the
coefficient of variation per benchmark, computes the ratios of benchlib (vm vs glibc, vm vs
volatile and plain accesses, naive loops vs vm, vm vs the measured bandwidth ceilings), and
writes a Markdown report with the machine it came from. Plots (memcpy/memset/memmove GB/s
against size, one line per implementation, ceilings drawn in) are made with gnuplot.
Standard library only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
import jit_summary  # noqa: E402

NOISY_CV = 0.05  # spread above which a figure is flagged as not to be trusted


def gbs(rate):
    return "-" if rate is None else "%.1f" % (rate / 1e9)


def size_txt(n):
    if n is None:
        return "-"
    if n >= 1 << 20:
        return "%d MiB" % (n >> 20)
    if n >= 1024:
        return "%d KiB" % (n >> 10)
    return "%d B" % n


def fmt_ratio(v, digits=2):
    return "-" if v is None else ("%." + str(digits) + "f") % v


def target_status(v, target):
    if target is None or v is None:
        return ""
    op, t = target
    ok = v >= t if op == ">=" else v <= t
    return "met" if ok else "**missed**"


def bench_cell(b, rate=True):
    """'12.3 (cv 1%)' for a Bench: GB/s when rate, else ns; flagged when noisy."""
    if b is None:
        return "-"
    v = gbs(b.median_rate()) if rate else "%.1f" % b.median_ns()
    cv = b.cv()
    flag = " !" if cv > NOISY_CV else ""
    return "%s%s" % (v, flag)


def machine_section(res):
    c = res.context
    caches = ", ".join("L%d %s %s" % (x["level"], x["type"].lower(), size_txt(int(x["size"])))
                       for x in c.get("caches", []))
    rows = [
        ("CPU", c.get("cpu_model", "?") + (" (vm: %s)" % c["vm_host_model"]
                                           if c.get("vm_host_model") and
                                           c.get("vm_host_model") != c.get("cpu_model") else "")),
        ("CPUs / MHz", "%s x %s MHz" % (c.get("num_cpus", "?"), c.get("mhz_per_cpu", "?"))),
        ("flags (memory-relevant)", c.get("cpu_flags", "?")),
        ("caches (per core unless shared)", caches or "?"),
        ("caches vm detected", "L1d %s, L2 %s, L3 %s" % (
            size_txt(int(c.get("vm_host_l1d_bytes", 0)) or None),
            size_txt(int(c.get("vm_host_l2_bytes", 0)) or None),
            size_txt(int(c.get("vm_host_l3_bytes", 0)) or None))
         if c.get("vm_host_l1d_bytes") else "-"),
        ("kernel", c.get("kernel", "?")),
        ("transparent huge pages", c.get("thp", "?")),
        ("C library", "glibc " + c.get("glibc", "?")),
        ("compilers", "C: %s; C++ (bench): %s" % (c.get("compiler_c", "?"),
                                                  c.get("compiler_cxx", "?"))),
        ("vm build", "%s, vm %s" % (c.get("build_type", "?"), c.get("vm_version", "?"))),
        ("CPU signature / microcode", "%s / %s" % (c.get("vm_host_signature", "?"),
                                                   c.get("vm_host_microcode", "?"))),
        ("cache figures from (L1d/L2/L3)", c.get("vm_host_cache_sources", "?")),
        ("memops chosen by vm_auto", c.get("memops_active", "?")),
        ("memops plan (source, method per size class)", c.get("memops_plan", "?")),
        ("ceiling kernels use", c.get("ceiling_isa", "?")),
        ("pinned to CPU", c.get("pinned_cpu", "?")),
        ("load average at start", ", ".join("%.2f" % x for x in c.get("load_avg", []))),
        ("run date", c.get("date", "?")),
    ]
    out = ["| | |", "|---|---|"]
    out += ["| %s | %s |" % r for r in rows]
    return out


def headline(res):
    out = ["| figure | value | target | |", "|---|---|---|---|"]
    defs = {d["id"]: d for d in benchlib.ratio_defs()}

    def row(rid, label, digits=2):
        d = defs[rid]
        v = benchlib.ratio_value(res, d)
        t = d.get("target")
        tt = "" if not t else "%s %s" % (t[0], t[1])
        out.append("| %s | %s | %s | %s |" % (label, fmt_ratio(v, digits), tt,
                                             target_status(v, t)))

    row("access.volatile_over_plain", "volatile / plain time (scalar accesses)")
    row("access.volatile_over_plain_autovec", "volatile / plain time (plain vectorised)")
    row("access.vm_mem_api_over_plain", "vm_mem_api / plain time")
    row("access.plain_checked_over_plain", "plain_checked / plain time (the bounds check alone)")
    row("access.vm_mem_api_over_plain_checked", "vm_mem_api / plain_checked time")
    row("access.vm_bulk_over_plain", "vm_bulk / plain time")
    for n in benchlib.SIZES:
        row("memcpy.vm_auto_vs_glibc.%d" % n, "vm_memcpy / glibc memcpy, %s" % size_txt(n))
    row("batch.byte_loop_over_vm_memcpy", "byte loop / vm_memcpy time, 256 B", 1)
    row("batch.vm_memcpy_vs_u64_loop", "vm_memcpy speed-up over a u64 loop, 256 B")
    return out


def guest_section(res):
    """Guest speed: million guest instructions per second per workload, for every engine
    present in the result (guest/interp/*, guest/jit/*), and the JIT's speed-up."""
    engines = benchlib.guest_engines(res) or ["interp"]
    out = ["Guest instructions retired per second, in-process on the bare machine "
           "(`guest/<engine>/*`, bench/guest/workloads.h, built with `riscv64-linux-gnu-gcc "
           "-O2`), for every engine in this run (%s): each run loads the workload into a "
           "fresh machine (not timed) and runs it to its exit (timed), so no process start-up "
           "is in the figure; the JIT's figure includes its translation. Each workload checks "
           "its checksum against the host's native run of the same source. The `-sv39` columns run "
           "the same workloads in S-mode with Sv39 paging on (one identity gigapage), so every "
           "fetch, load and store goes through the software TLB: their distance from the bare "
           "columns is the price of address translation." %
           ", ".join(engines), "",
           "| workload | guest instructions per run | " +
           " | ".join("%s MIPS (median)" % e for e in engines) +
           (" | JIT / interp |" if "jit" in engines else " |") + " target | |",
           "|---|---|" + "---|" * len(engines) + ("---|" if "jit" in engines else "") +
           "---|---|"]
    defs = {d["id"]: d for d in benchlib.ratio_defs()}
    for i, (w, mips, target) in enumerate(benchlib.guest_mips(res, "interp")):
        b = res.get("guest/interp/%s" % w)
        insns = "-"
        if b and b.items and b.times:
            # items/s times seconds per iteration = instructions per iteration
            insns = "%.1f M" % (b.median_items() * b.median_ns() / 1e9 / 1e6)
        cells = []
        for e in engines:
            eb = res.get("guest/%s/%s" % (e, w))
            m = benchlib.guest_mips(res, e)[i][1]
            if m is None and ("guest/%s/%s" % (e, w)) in res.benches and \
                    res.benches["guest/%s/%s" % (e, w)].error:
                cells.append("skipped: %s" % res.benches["guest/%s/%s" % (e, w)].error)
                continue
            flag = " !" if eb and eb.cv() > NOISY_CV else ""
            cells.append("-" if m is None else "%.0f%s" % (m, flag))
        if "jit" in engines:
            cells.append(fmt_ratio(benchlib.ratio_value(res, defs["guest.jit_vs_interp.%s" % w])))
        tt = "" if target is None else ">= %d (interp)" % target
        st = target_status(mips, (">=", target)) if target is not None else ""
        out.append("| %s | %s | %s | %s | %s |" % (w, insns, " | ".join(cells), tt, st))
    out += ["", "Target: the interpreter retires at least 500 million guest instructions per "
            "second on the integer loop (`int_loop`). The JIT / interp ratios are in "
            "`bench/baseline.json` (`guest.jit_vs_interp.*`), so `make bench-compare` fails "
            "on a JIT regression."]
    return out


def ceiling_section(res):
    out = ["| level | buffer | read GB/s | write GB/s | write (non-temporal) GB/s | "
           "copy bound GB/s | memcpy size | vm_memcpy GB/s | vm fraction | glibc GB/s | "
           "glibc fraction |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    glibc = {lv: (r, f) for lv, _n, r, _c, f in benchlib.ceiling_fractions(res, "glibc")}
    for lv, n, rate, ceil, frac in benchlib.ceiling_fractions(res, "vm_auto"):
        g = glibc.get(lv, (None, None))
        def best(kind):
            r = res.ceiling_rate(lv, kind)
            shape = res.ceiling_shape(lv, kind)
            return gbs(r) + (" (%s)" % shape if r and shape else "")
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            lv, size_txt(res.ceiling_size(lv)), best("read"), best("write"), best("write_nt"),
            gbs(ceil), size_txt(n), gbs(rate), "-" if frac is None else "%.0f%%" % (100 * frac),
            gbs(g[0]), "-" if g[1] is None else "%.0f%%" % (100 * g[1])))
    return out


def size_table(res, group):
    op = group.split("_")[0]
    head = ["size"] + benchlib.SIZE_VARIANTS + ["vm_auto / glibc"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    skipped = {}
    for n in benchlib.SIZES:
        cells = [size_txt(n)]
        for v in benchlib.SIZE_VARIANTS:
            name = "%s/%s/%d" % (group, v, n)
            b = res.get(name)
            if b is None and name in res.benches and res.benches[name].error:
                skipped[v] = res.benches[name].error
                cells.append("skipped")
            else:
                cells.append(bench_cell(b))
        d = [x for x in benchlib.ratio_defs() if x["id"] == "%s.vm_auto_vs_glibc.%d" % (op, n)]
        cells.append(fmt_ratio(benchlib.ratio_value(res, d[0]) if d else None))
        out.append("| " + " | ".join(cells) + " |")
    for v, why in skipped.items():
        out.append("")
        out.append("`%s` skipped: %s." % (v, why))
    return out


def simple_table(res, names, unit):
    out = ["| benchmark | median %s | cv |" % unit, "|---|---|---|"]
    for name in names:
        b = res.get(name)
        if b is None:
            why = res.benches[name].error if name in res.benches else "not run"
            out.append("| `%s` | skipped: %s | |" % (name, why))
            continue
        val = "%.1f ns" % b.median_ns()
        if unit == "GB/s" and b.median_rate():
            val = "%s GB/s (%.1f ns)" % (gbs(b.median_rate()), b.median_ns())
        out.append("| `%s` | %s | %.1f%% |" % (name, val, 100 * b.cv()))
    return out


def noisy(res):
    out = []
    for name in sorted(res.benches):
        b = res.benches[name]
        if b.ok and b.cv() > NOISY_CV:
            out.append("`%s` (cv %.0f%%)" % (name, 100 * b.cv()))
    return out


def write_plots(res, plots_dir, md_dir):
    """One PNG per size group; returns [(title, relative path)]."""
    gp = shutil.which("gnuplot")
    if not gp:
        raise SystemExit("report: gnuplot not found (make bench-tools installs gnuplot-nox)")
    os.makedirs(plots_dir, exist_ok=True)
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        # Ceiling steps. A copy or move of N bytes has a 2N-byte working set and is bound
        # by the copy bound of the smallest level holding it; a fill of N bytes by the
        # write ceiling of the level holding N bytes.
        def steps(path, bound, factor):
            with open(path, "w") as f:
                lo = 32
                for lv in benchlib.LEVELS:
                    sz, c = res.ceiling_size(lv), bound(lv)
                    if not c or not sz:
                        continue
                    hi = benchlib.SIZES[-1] * 2 if lv == "DRAM" else max(sz // factor, lo)
                    f.write("%d %g\n%d %g\n" % (lo, c / 1e9, hi, c / 1e9))
                    lo = hi

        def write_bound(lv):
            ws = [w for w in (res.ceiling_rate(lv, "write"), res.ceiling_rate(lv, "write_nt"))
                  if w]
            return max(ws) if ws else None

        copy_steps = os.path.join(tmp, "copy_bound.dat")
        fill_steps = os.path.join(tmp, "write_bound.dat")
        steps(copy_steps, res.copy_ceiling, 2)
        steps(fill_steps, write_bound, 1)
        for group in benchlib.SIZE_GROUPS:
            op = group.split("_")[0]
            files = []
            for v in benchlib.SIZE_VARIANTS:
                pts = []
                for n in benchlib.SIZES:
                    b = res.get("%s/%s/%d" % (group, v, n))
                    if b and b.median_rate():
                        pts.append((n, b.median_rate() / 1e9))
                if not pts:
                    continue
                path = os.path.join(tmp, "%s_%s.dat" % (group, v))
                with open(path, "w") as f:
                    for n, r in pts:
                        f.write("%d %g\n" % (n, r))
                files.append((v, path))
            if not files:
                continue
            png = os.path.join(plots_dir, "%s.png" % group)
            plot = ["'%s' using 1:2 with linespoints lw 2 title '%s'" % (p, v) for v, p in files]
            bound = fill_steps if op == "memset" else copy_steps
            if os.path.getsize(bound):
                plot.append("'%s' using 1:2 with lines dt 2 lw 2 lc rgb 'black' "
                            "title '%s bound from the measured L1/L2/L3/DRAM ceilings'"
                            % (bound, "write" if op == "memset" else "copy"))
            script = "\n".join([
                "set terminal pngcairo size 1100,650 font ',10'",
                "set output '%s'" % png,
                "set title '%s: throughput against size (%s, median of repetitions)'"
                % (op, res.context.get("cpu_model", "?")),
                "set logscale x 2",
                "set xlabel 'bytes per call'",
                "set ylabel 'GB/s (bytes %s per second)'" % ("set" if op == "memset" else "copied"),
                "set xtics ('64' 64, '256' 256, '1K' 1024, '4K' 4096, '16K' 16384, "
                "'64K' 65536, '1M' 1048576, '16M' 16777216, '256M' 268435456)",
                "set grid",
                "set key top right noenhanced",
                "set termoption noenhanced",
                "set yrange [0:*]",
                "plot " + ", \\\n     ".join(plot),
            ])
            subprocess.run([gp], input=script, text=True, check=True)
            made.append((group, os.path.relpath(png, md_dir)))
    return made


def programs_section(folder):
    """Table of the hyperfine results of bench/programs.sh (one JSON per program)."""
    runs = {}
    if folder and os.path.isdir(folder):
        for fn in sorted(os.listdir(folder)):
            if not fn.endswith(".json"):
                continue
            try:
                with open(os.path.join(folder, fn)) as f:
                    data = json.load(f)
            except (OSError, ValueError):
                continue
            runs[fn[:-5]] = {r["command"]: r for r in data.get("results", [])}
    if not runs:
        return ["Not measured in this run (bench/programs.sh needs hyperfine, qemu-riscv64 "
                "and riscv64-linux-gnu-gcc)."]
    have_vm = any("vm" in r for r in runs.values())
    out = ["Programs from `bench/programs/`, built natively (`cc -O2 -ffp-contract=off`) and for riscv64 "
           "(`riscv64-linux-gnu-gcc -O2 -ffp-contract=off -static`), their outputs checked equal, then timed "
           "by hyperfine (wall time, median of runs; one executor after the other, pinned "
           "to one CPU)." + ("" if have_vm else " vm has no guest CPU yet, so its column is "
                             "empty; the harness adds it as soon as `vm run` exists."), "",
           "| program | native ms | qemu-riscv64 ms | vm ms | qemu / native | vm / qemu | "
           "vm / native |", "|---|---|---|---|---|---|---|"]

    def ms(r):
        return "-" if r is None else "%.1f (±%.0f%%)" % (
            1e3 * r["median"], 100 * r["stddev"] / r["mean"] if r.get("stddev") else 0)

    def ratio(x, y):
        return "-" if x is None or y is None else "%.2f" % (x["median"] / y["median"])

    for name, r in runs.items():
        n, q, v = r.get("native"), r.get("qemu"), r.get("vm")
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
            name, ms(n), ms(q), ms(v), ratio(q, n), ratio(v, q), ratio(v, n)))
    m = runs.get("mixed", {})
    if m.get("vm") and m.get("qemu"):
        speed = m["qemu"]["median"] / m["vm"]["median"]
        out += ["", "Target: on the CPU-bound `mixed` program vm runs at least 0.4x as fast as "
                "qemu-riscv64 (vm / qemu time <= 2.5). Measured: %.2fx, %s." % (
                    speed, "met" if speed >= 0.4 else "**missed**")]
    return out


def method_section():
    return [
        "- **Harness**: `build/vm-bench` (Google Benchmark) run by `make bench-report`; "
        "every figure is the median over repetitions (`--benchmark_repetitions`), with "
        "repetitions of all benchmarks interleaved in random order "
        "(`--benchmark_enable_random_interleaving`; Google Benchmark's way of interleaving "
        "variants across repetitions), so two variants compared in a ratio "
        "were measured side by side in the same minutes of the same run.",
        "- **Warm-up**: one untimed call per benchmark before its timed loop, plus Google "
        "Benchmark's warm-up time (`--benchmark_min_warmup_time`) and its iteration-count "
        "probing. Buffers are pre-faulted `mmap` memory (transparent huge pages advised), "
        "64-byte aligned.",
        "- **Pinning**: the process pins itself to one CPU (`--pin`, default the highest "
        "allowed CPU) with `sched_setaffinity`.",
        "- **Time**: CPU time of the thread per iteration; throughput = bytes per call / "
        "time. A figure marked `!` had a coefficient of variation over repetitions above "
        "%d%%: do not trust it (listed under *Noise*)." % int(NOISY_CV * 100),
        "- **No dead code**: results pass through `benchmark::DoNotOptimize` / "
        "`ClobberMemory`; the naive loops live in a C file compiled without the vectoriser "
        "and without loop-idiom rewriting (a test checks its object calls no `mem*` and "
        "uses no vector registers); the volatile variant writes through a `volatile` "
        "pointer; every variant is called through a function pointer; the C library's "
        "(glibc) and vm's public entry (vm_auto) through wrappers that call them as a C "
        "program does (`bench/callers.c`: glibc through its PLT entry, vm through the "
        "inline dispatch of `vm/memops.h`), the vm_<isa> variants directly.",
        "- **volatile_vs_normal**: 256 u32 stores then 256 loads of a 1 KiB buffer. "
        "`volatile`, `plain`, `plain_checked` and `vm_mem_api` make their accesses one at a "
        "time (their "
        "file is compiled without the vectoriser), as an interpreter performs a guest's "
        "loads and stores; `plain_autovec` is the same plain code vectorised (the "
        "compiler's best case, which `volatile` forbids); `vm_bulk` is one `vm_mem_write` "
        "plus one `vm_mem_read` of the whole 1 KiB.",
        "- **memmove_sizes**: the destination starts N/4 bytes (at least 16) above the "
        "source, so the ranges overlap and the move must run backwards.",
        "- **Ceilings**: `ceiling/{read,write,write_nt}[.shape]/N`, one core, stream "
        "through a buffer as large as the working set of the memcpy charged to the level "
        "(twice the largest size whose source and destination fit in half of L1, half of "
        "L2, a quarter of L3; DRAM: 256 MiB), repeated within each call until 256 KiB have "
        "moved. Each kind is measured with every kernel shape the host runs (the widest "
        "vectors and the next narrower ones, unrolled 8 or 16 times; `rep stosb` for "
        "writes with ERMS) and the table gives the fastest, with its shape in brackets, so "
        "the ceiling does not hang on one loop suiting the core. The copy bound of a level "
        "is min(read, best write): a copy cannot go faster than it reads or writes (a "
        "bound, not a promise: on DRAM both directions share the bus). A memcpy of N bytes "
        "is charged to the level whose ceiling buffer holds its 2N-byte working set "
        "(DRAM: 256 MiB).",
        "- **Regression guard**: `make bench-compare` reruns the ratio subset and `bench/"
        "compare` checks every ratio against `bench/baseline.json` (ratios only, relative "
        "tolerance); CI runs only the untimed smoke (`vm-bench --smoke`, CTest "
        "`bench/smoke`).",
    ]


KEEP_OPEN, KEEP_CLOSE = "<!-- keep -->", "<!-- /keep -->"


def kept_blocks(path):
    """Lines of every KEEP_OPEN ... KEEP_CLOSE block of the report being replaced (markers
    included), so hand-made measurements with their host survive a regeneration."""
    try:
        with open(path) as f:
            lines = f.read().split("\n")
    except OSError:
        return []
    out, inside = [], False
    for line in lines:
        if line.strip() == KEEP_OPEN:
            inside = True
        if inside:
            out.append(line)
        if line.strip() == KEEP_CLOSE:
            inside = False
            out.append("")
    return out if not inside else []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--out", default="docs/performance.md")
    ap.add_argument("--plots", default="docs/plots")
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--programs", help="folder of hyperfine JSON from bench/programs.sh")
    ap.add_argument("--jit", help="JSON of bench/jit_summary.py (make bench-jit)")
    a = ap.parse_args()
    res = benchlib.Results.load(a.results)
    md_dir = os.path.dirname(os.path.abspath(a.out))
    plots = [] if a.no_plots else write_plots(res, os.path.abspath(a.plots), md_dir)

    reps = max((len(b.times) for b in res.benches.values()), default=0)
    L = ["# vm performance", "",
         "Generated by `make bench-report` (bench/report.py) from one run of `build/vm-bench` "
         "on %s, %d repetitions per benchmark. Numbers are from a shared, virtualised "
         "machine: read the ratios, not the absolute values, and rerun `make bench-report` "
         "on a quiet machine for figures to quote." % (res.context.get("date", "?"), reps),
         "", "## Machine", ""]
    L += machine_section(res)
    host = "Host: " + benchlib.host_line(res.context) + "."
    L += ["", "## Headline figures", "", host, "",
          "Ratios are between medians of the same run. *time* ratios: above 1 means the "
          "first is slower. *memcpy* ratios: throughput of vm over the C library, above 1 "
          "means vm is faster.", ""]
    L += headline(res)
    L += ["", "## Physical ceilings (one core) and how close memcpy gets", "", host, ""]
    L += ceiling_section(res)
    if plots:
        L += ["", "## Plots", ""]
        for g, p in plots:
            L += ["![%s](%s)" % (g, p), ""]
    for g in benchlib.SIZE_GROUPS:
        L += ["", "## %s (GB/s, median)" % g, "", host, ""]
        L += size_table(res, g)
    L += ["", "## volatile_vs_normal (256 u32 writes then reads of 1 KiB)", "", host, "",
          "`volatile` and `plain` compile to the same one-access-per-instruction loops (their "
          "file is built without the vectoriser, loops 64-byte aligned): on x86-64 a volatile "
          "access costs what a plain one does. What volatile costs is everything the compiler "
          "may no longer do, which `plain_autovec` shows. `vm_mem_api` adds vm's range check "
          "per access; `plain_checked` is the plain loop with the same kind of check written "
          "by hand (compare and branch per access, out-of-line miss handler), so "
          "`vm_mem_api` against `plain_checked` is what vm adds beyond the check itself; "
          "`vm_bulk` moves the same 1 KiB with two bulk calls.", ""]
    L += simple_table(res, ["volatile_vs_normal/%s/1024" % v for v in benchlib.ACCESS_VARIANTS],
                      "time")
    L += ["", "## batch_vs_loop (one 256-byte copy)", "", host, ""]
    L += simple_table(res, ["batch_vs_loop/%s/256" % v for v in benchlib.BATCH_VARIANTS],
                      "GB/s")
    L += ["", "## memory_operations", "", host, "",
          "`allocate_1kb_*`: one allocation plus one free; `read_write_1kb`: one 1 KiB "
          "`vm_mem_write` plus one `vm_mem_read` in the fast RAM window; "
          "`guest_copy_cross_region`: 1 KiB guest-to-guest copy through a host buffer, the "
          "source straddling two RAM regions; `mmio_dispatch`: one 32-bit MMIO store plus one "
          "load through the device callbacks.", ""]
    L += simple_table(res, ["memory_operations/%s" % m for m in benchlib.MEMORY_OPS], "time")
    L += ["", "## Guest speed (every engine)", "", host, ""]
    L += guest_section(res)
    L += ["", "## Whole programs (vm vs qemu-riscv64 vs native)", "",
          "Host: the machine of this report, " + benchlib.host_line(res.context) +
          "; hyperfine runs in the same session.", ""]
    L += programs_section(a.programs)
    L += ["", "## JIT targets", ""]
    jit_doc = None
    if a.jit:
        with open(a.jit) as f:
            jit_doc = json.load(f)
    L += jit_summary.markdown_section(jit_doc)
    L += [""]
    L += ["## Noise", ""]
    nz = noisy(res)
    if nz:
        L += ["These figures had a spread (coefficient of variation over repetitions) above "
              "%d%%; treat them as rough: %s." % (int(NOISY_CV * 100), ", ".join(nz))]
    else:
        L += ["No figure had a spread above %d%%." % int(NOISY_CV * 100)]
    L += ["", "## Method", ""]
    L += method_section()
    L += ["", "To reproduce: `make bench-report` (about 5-10 minutes; installs gnuplot-nox "
          "when missing; run `make bench-jit` first for the JIT targets). Regression check: "
          "`make bench-compare`.", ""]
    kept = kept_blocks(a.out)
    if kept:
        L += ["## Measured by hand (kept across regenerations)", ""] + kept + [""]
    os.makedirs(md_dir, exist_ok=True)
    with open(a.out, "w") as f:
        f.write("\n".join(L))
    print("report: wrote %s%s" % (a.out, "" if not plots else
                                  " and %d plots in %s" % (len(plots), a.plots)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
