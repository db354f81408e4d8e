#!/usr/bin/env python3
"""jit_summary - the JIT targets from one bench/jit.sh run: ratios, targets, JSON, tables.

    python3 bench/jit_summary.py OUTDIR --json FILE   read bench/jit.sh's OUTDIR, write FILE,
                                                      print the tables
    python3 bench/jit_summary.py --show FILE          print the tables of an existing FILE

Every ratio is a *speed* ratio taken within the one run: for timed workloads the time of the
second executor over the time of the first (medians of hyperfine's runs), for memcpy the
first's GB/s over the second's (medians of the program's own measurements); above 1 means the
first is faster. A column bench/jit.sh skipped keeps its reason, and every ratio touching it
is None ("-" in the tables). report.py imports this module for the "JIT targets" section of
docs/performance.md. Standard library only.
"""

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time

EXECUTORS = ["native", "qemu", "interp", "jit"]
LABELS = {"native": "native x86-64", "qemu": "qemu-riscv64", "interp": "vm --engine=interp",
          "jit": "vm --engine=jit"}
# Debian's riscv64 tools on bench/mkinput.py's input (bench/jit.sh: BENCH_TOOLS)
TOOLS = ["sha256sum", "gzip", "bzip2", "xz", "zstd"]
WORKLOADS = ["mixed", "sha256", "nbody", "lua", "memcpy", "startup"] + TOOLS
WORKLOAD_TEXT = {
    "mixed": "mixed (bench/programs/mixed.c)",
    "sha256": "sha256 rounds (bench/programs/sha256.c)",
    "nbody": "single-precision n-body, FMA (bench/programs/nbody.c)",
    "lua": "lua5.4 + bench/guest/lua_mix.lua",
    "memcpy": "memcpy 1 MiB (bench/guest/memcpy_bw.c)",
    "startup": "start-up, static hello",
    "sha256sum": "Debian sha256sum",
    "gzip": "Debian gzip -6",
    "bzip2": "Debian bzip2",
    "xz": "Debian xz -1",
    "zstd": "Debian zstd -3",
}
# (workload, faster-candidate, reference): the ratios listed, in this order
RATIOS = [(w, a, b) for w in WORKLOADS
          for a, b in [("jit", "qemu"), ("jit", "native"), ("interp", "qemu"),
                       ("interp", "native"), ("qemu", "native"), ("jit", "interp")]]
# The JIT targets (those of the JIT's second generation): (workload, a, b, op, value, text).
# The workload ALL_TOOLS stands for the slowest of the tool workloads (the lowest ratio).
ALL_TOOLS = "tools"
TARGETS = [
    ("mixed", "jit", "qemu", ">=", 3.0, "mixed: vm-jit at least 3x as fast as qemu-riscv64"),
    ("mixed", "jit", "native", ">=", 0.7, "mixed: vm-jit at least 0.7x native speed"),
    ("sha256", "jit", "qemu", ">=", 3.0, "sha256 rounds: vm-jit at least 3x qemu-riscv64"),
    ("lua", "jit", "qemu", ">=", 4.0, "Lua: vm-jit at least 4x as fast as qemu-riscv64"),
    ("memcpy", "jit", "native", ">=", 0.3,
     "memcpy 1 MiB: guest bandwidth under vm-jit at least 30% of the host's"),
] + [(t, "jit", "qemu", ">=", 2.0, "Debian %s: vm-jit at least 2x qemu-riscv64" % t)
     for t in TOOLS] + [
    (ALL_TOOLS, "jit", "qemu", ">=", 1.5, "Debian tools: none below 1.5x qemu-riscv64"),
]
# What the JIT prints under `vm run --stats`: "jit: ... translated B blocks, N guest insns in
# T ms" (tolerant: anything, or nothing, between "jit:" and "translated"); and the
# interpreter's retired-instruction count, for the record.
JIT_STATS_RE = re.compile(
    r"jit:.*?\btranslated (\d+) blocks, (\d+) guest insns in ([0-9]+(?:\.[0-9]*)?) ms")
RETIRED_RE = re.compile(r"stats: instructions retired\s+(\d+)")


def parse_stats(text):
    """Translation cost from the stderr of one `vm run --stats`: a dict (blocks, insns, ms,
    us_per_insn) from the JIT line, or None when there is no such line; plus `retired`."""
    res = None
    for line in text.splitlines():
        m = JIT_STATS_RE.search(line)
        if m:
            blocks, insns, ms = int(m.group(1)), int(m.group(2)), float(m.group(3))
            res = {"blocks": blocks, "insns": insns, "ms": ms,
                   "us_per_insn": (ms * 1e3 / insns) if insns else None}
    retired = None
    m = RETIRED_RE.search(text)
    if m:
        retired = int(m.group(1))
    return res, retired


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


# The CPU flags worth naming next to a speed figure (as /proc/cpuinfo spells them).
_FLAGS = ("sse2", "avx", "avx2", "avx512f", "avx512bw", "avx512vl", "bmi2", "erms", "fsrm",
          "asimd")


def _host():
    cpu, ucode, flags = "?", "?", []
    for line in (_read("/proc/cpuinfo") or "").splitlines():
        key, _, val = line.partition(":")
        key = key.strip()
        if key == "model name" and cpu == "?":
            cpu = val.strip()
        elif key == "microcode" and ucode == "?":
            ucode = val.strip()
        elif key in ("flags", "Features") and not flags:
            have = val.split()
            flags = [f for f in _FLAGS if f in have]
    if ucode == "?":
        ucode = (_read("/sys/devices/system/cpu/cpu0/microcode/version") or "unknown").strip()
    return {"cpu": cpu, "microcode": ucode, "flags": " ".join(flags), "cpus": os.cpu_count(),
            "kernel": platform.release(), "load_avg": list(os.getloadavg())}


def collect(outdir):
    """The result of one bench/jit.sh run, as the JSON document."""
    meta = {}
    for line in (_read(os.path.join(outdir, "meta.txt")) or "").splitlines():
        k, _, v = line.partition(" ")
        meta[k] = v
    doc = {"version": 1, "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "host": _host(),
           "settings": meta, "workloads": {}, "translation": {}}
    cols = {}
    for line in (_read(os.path.join(outdir, "columns.tsv")) or "").splitlines():
        parts = line.split("\t")
        if len(parts) == 4:
            cols[(parts[0], parts[1])] = (parts[2], parts[3])
    for w in WORKLOADS:
        if cols and not any(k[0] == w for k in cols):
            continue  # not run (bench/jit.sh: BENCH_WORKLOADS, BENCH_TOOLS)
        entry = {"unit": "GB/s" if w == "memcpy" else "s", "columns": {}}
        times = {}  # executor -> every timed run, pooled over the rounds
        if w != "memcpy":
            for fn in sorted(os.listdir(outdir)):
                if not re.fullmatch(re.escape(w) + r"(\.r\d+)?\.json", fn):
                    continue
                data = json.loads(_read(os.path.join(outdir, fn)) or "{}")
                for r in data.get("results", []):
                    times.setdefault(r["command"], []).extend(r.get("times") or [r["median"]])
        else:
            samples = {}
            for line in (_read(os.path.join(outdir, "memcpy.tsv")) or "").splitlines():
                e, _, v = line.partition("\t")
                try:
                    samples.setdefault(e, []).append(float(v))
                except ValueError:
                    pass
        for e in EXECUTORS:
            status, detail = cols.get((w, e), ("skipped", "not run"))
            c = {"status": status}
            if status == "ok":
                c["command"] = detail
                if w == "memcpy":
                    s = samples.get(e, [])
                    if s:
                        c.update({"median": statistics.median(s), "samples": s})
                    else:
                        c.update({"status": "skipped", "reason": "no bandwidth measured"})
                elif times.get(e):
                    t = times[e]
                    c.update({"median": statistics.median(t), "mean": statistics.mean(t),
                              "stddev": statistics.stdev(t) if len(t) > 1 else None,
                              "runs": len(t)})
                else:
                    c.update({"status": "skipped", "reason": "not timed"})
            else:
                c["reason"] = detail
            entry["columns"][e] = c
        doc["workloads"][w] = entry
        for e in ("interp", "jit"):
            text = _read(os.path.join(outdir, "%s.%s.stats.txt" % (w, e)))
            if text is None:
                continue
            jit, retired = parse_stats(text)
            doc["translation"].setdefault(e, {})[w] = {"jit": jit, "retired": retired}
    # compressed bytes of the riscv64 columns against the host tool's (for the record)
    for line in (_read(os.path.join(outdir, "bytes.tsv")) or "").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0] in doc["workloads"]:
            c = doc["workloads"][parts[0]]["columns"].get(parts[1])
            if c is not None:
                c["bytes_vs_native"] = parts[2]
    doc["ratios"] = ratios(doc)
    doc["targets"] = targets(doc)
    return doc


def workloads(doc):
    """The workloads of `doc` in table order (a document of an older run has fewer)."""
    return [w for w in WORKLOADS if w in doc.get("workloads", {})]


def value(doc, w, e):
    c = doc["workloads"].get(w, {}).get("columns", {}).get(e, {})
    return c.get("median") if c.get("status") == "ok" else None


def speed_ratio(doc, w, a, b):
    """How many times faster `a` is than `b` on workload w (None when either is missing);
    for ALL_TOOLS the lowest ratio over the tool workloads measured (None: none was)."""
    if w == ALL_TOOLS:
        rs = [speed_ratio(doc, t, a, b) for t in TOOLS if t in doc["workloads"]]
        rs = [r for r in rs if r is not None]
        return min(rs) if rs else None
    va, vb = value(doc, w, a), value(doc, w, b)
    if not va or not vb:
        return None
    return va / vb if doc["workloads"][w]["unit"] == "GB/s" else vb / va


def ratios(doc):
    return [{"id": "%s.%s_vs_%s" % (w, a, b), "workload": w, "a": a, "b": b,
             "speed": speed_ratio(doc, w, a, b)} for w, a, b in RATIOS
            if w in doc["workloads"]]


def why_missing(doc, w, *execs):
    if w == ALL_TOOLS:
        return "no tool workload measured"
    for e in execs:
        c = doc["workloads"].get(w, {}).get("columns", {}).get(e, {})
        if c.get("status") != "ok":
            return "%s: %s" % (e, c.get("reason") or c.get("status") or "not run")
    return None


def targets(doc):
    res = []
    for w, a, b, op, t, text in TARGETS:
        v = speed_ratio(doc, w, a, b)
        st = "n/a" if v is None else ("met" if (v >= t if op == ">=" else v <= t) else "missed")
        res.append({"id": "%s.%s_vs_%s" % (w, a, b), "text": text, "op": op, "target": t,
                    "value": v, "status": st, "why": why_missing(doc, w, a, b) if v is None
                    else None})
    return res


def _cell(doc, w, e):
    c = doc["workloads"][w]["columns"][e]
    if c.get("status") != "ok":
        return "wrong output" if c.get("status") == "wrong" else "-"
    v = c["median"]
    if w == "memcpy":
        s = c.get("samples") or [v]
        spread = statistics.pstdev(s) / statistics.mean(s) if statistics.mean(s) else 0
        return "%.2f GB/s (±%.0f%%)" % (v, 100 * spread)
    spread = (c.get("stddev") or 0) / c["mean"] if c.get("mean") else 0
    return "%.1f ms (±%.0f%%)" % (v * 1e3, 100 * spread)


def _r(v, digits=2):
    return "-" if v is None else ("%." + str(digits) + "f") % v


def tables(doc, md=False):
    """The three tables (measurements, ratios, targets) plus skip reasons and translation
    cost, as lines of Markdown (md) or of aligned text."""
    out = []

    def table(head, rows):
        if md:
            out.append("| " + " | ".join(head) + " |")
            out.append("|" + "---|" * len(head))
            out.extend("| " + " | ".join(r) + " |" for r in rows)
        else:
            w = [max(len(x) for x in col) for col in zip(head, *rows)]
            for r in [head] + rows:
                out.append("  ".join(x.ljust(n) for x, n in zip(r, w)).rstrip())
        out.append("")

    out.append("Medians; ± is the standard deviation over the runs, relative to the mean.")
    out.append("")
    ws = workloads(doc)
    table(["workload"] + [LABELS[e] for e in EXECUTORS],
          [[WORKLOAD_TEXT[w]] + [_cell(doc, w, e) for e in EXECUTORS] for w in ws])
    pairs = [("jit", "qemu"), ("jit", "native"), ("interp", "qemu"), ("interp", "native"),
             ("qemu", "native"), ("jit", "interp")]
    table(["speed ratio (above 1: first is faster)"] + ["%s/%s" % (a, b) for a, b in pairs],
          [[w] + [_r(speed_ratio(doc, w, a, b)) for a, b in pairs] for w in ws])
    table(["target", "ratio", "measured", "wanted", "status"],
          [[t["text"], "%s/%s" % (t["id"].split(".")[1].split("_vs_")[0],
                                  t["id"].split("_vs_")[1]),
            _r(t["value"]), "%s %g" % (t["op"], t["target"]),
            t["status"] if t["value"] is not None else "n/a (%s)" % t["why"]]
           for t in doc["targets"]])
    skipped = []
    for w in ws:
        for e in EXECUTORS:
            c = doc["workloads"][w]["columns"][e]
            if c.get("status") != "ok":
                skipped.append("%s / %s: %s%s" % (w, e, "WRONG OUTPUT, " if c.get("status") ==
                                                  "wrong" else "", c.get("reason", "")))
    same = []
    for w in ws:
        b = {e: c["bytes_vs_native"] for e, c in doc["workloads"][w]["columns"].items()
             if c.get("bytes_vs_native")}
        if b:
            same.append("%s: %s" % (w, ", ".join("%s %s" % (e, v) for e, v in sorted(b.items()))))
    if same:
        out.append("Compressed bytes of the riscv64 tool against the host's own (a different "
                   "version may compress otherwise; every column's output decompresses to the "
                   "input): " + "; ".join(same) + ".")
        out.append("")
    if skipped:
        out.append("Columns not measured:")
        out.extend(("- " if md else "  ") + s for s in skipped)
        out.append("")
    rows = []
    for e in ("interp", "jit"):
        for w in ws:
            s = doc["translation"].get(e, {}).get(w)
            if s is None:
                continue
            j = s["jit"]
            rows.append([e, w, "-" if s["retired"] is None else str(s["retired"]),
                         "n/a" if j is None else str(j["blocks"]),
                         "n/a" if j is None else str(j["insns"]),
                         "n/a" if j is None else "%.2f" % j["ms"],
                         "n/a" if j is None or j["us_per_insn"] is None
                         else "%.3f" % j["us_per_insn"]])
    if rows:
        table(["engine", "workload", "guest insns retired", "blocks translated",
               "guest insns translated", "translation ms", "us per translated insn"], rows)
    return out


def markdown_section(doc):
    """The "JIT targets" section of docs/performance.md (lines, without its heading): the
    targets, how the run is made, and the tables of `doc` (None: not measured)."""
    out = ["The JIT's targets, each a ratio of speeds measured in one `make bench-jit` run "
           "(bench/jit.sh, then bench/jit_summary.py): the same riscv64 binaries under "
           "qemu-riscv64, `vm run --engine=interp` and `vm run --engine=jit`, beside a "
           "native x86-64 build of the same source:", ""]
    out += ["- %s (%s/%s %s %g)" % (t[5], t[1], t[2], t[3], t[4]) for t in TARGETS]
    out += ["", "Workloads: **mixed** is `bench/programs/mixed.c` (lists, matrix multiply, "
            "CRC, a state machine, sorting, hashing, calls, floating point), static; **lua** "
            "is Debian's riscv64 `lua5.4` (fetched by `scripts/fetch-riscv64.sh` into the "
            "cached sysroot) running `bench/guest/lua_mix.lua` (tables, strings, closures, "
            "fib, loops, metatables), its native column the host's `lua5.4` when installed; "
            "**sha256** is `bench/programs/sha256.c`, SHA-256 compression rounds in plain C "
            "(a register-pressure kernel: ten and more live 32-bit values), static; "
            "**nbody** is `bench/programs/nbody.c`, a single-precision n-body simulation "
            "(fused multiply-adds, square roots, divisions, conversions), static; "
            "**sha256sum**, **gzip**, **bzip2**, **xz**, **zstd** are Debian's riscv64 "
            "`sha256sum`, `gzip -6 -n`, `bzip2`, `xz -1 -T1` and `zstd -3 --single-thread` "
            "(cached sysroot) on one 4 MiB input from `bench/mkinput.py` (text-like and "
            "random-ish chunks from a fixed seed), their native column the host's own tool "
            "(another version): a compressor's output must decompress to the input, and the "
            "riscv64 columns must write identical bytes; "
            "**memcpy** is `bench/guest/memcpy_bw.c`, glibc's memcpy of 1 MiB blocks in a "
            "time-bound loop after a warm-up, its GB/s as the program measures it (median of "
            "runs), native = the host's memcpy; **startup** is a static hello "
            "(`bench/guest/hello.c`). Times are hyperfine's medians of wall time (`-N`, "
            "pinned to one CPU, warm-up runs first). Every column's output is checked equal "
            "to the reference before it is timed; a column that cannot run is skipped with "
            "its reason. Translation cost: one `vm run --stats` per workload and engine; "
            "the JIT's line `jit: ... translated B blocks, N guest insns in T ms` gives "
            "microseconds per translated guest instruction (n/a without it).", "",
            "To run: `make bench-jit` (a few minutes; `BENCH_RUNS=N` timed runs per column, "
            "default 7; writes `build/bench-results/jit.json`), then `make bench-report`, "
            "which adds this section when that file exists (`BENCH_JIT_JSON=file` picks "
            "another). `python3 bench/jit_summary.py --show FILE` prints the tables again.",
            ""]
    if doc is None:
        return out + ["Not measured in this run (no `make bench-jit` result)."]
    h = doc.get("host", {})
    st = doc.get("settings", {})
    out += ["Measured by its own run (date and machine may differ from the other sections): "
            "%s on %s (microcode %s; flags: %s; %s CPUs, load average %s at the end), vm at "
            "commit %s, %s timed runs per column (start-up: %s); %s." % (
                doc.get("date", "?"), h.get("cpu", "?"), h.get("microcode", "?"),
                h.get("flags", "?"), h.get("cpus", "?"),
                ", ".join("%.2f" % x for x in h.get("load_avg", [])),
                st.get("vm_commit") or "?", st.get("runs", "?"), st.get("hello_runs", "?"),
                st.get("qemu") or "no qemu-riscv64"), ""]
    return out + tables(doc, md=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("outdir", nargs="?", help="bench/jit.sh's output folder")
    ap.add_argument("--json", help="write the JSON document here")
    ap.add_argument("--show", help="print the tables of an existing JSON document")
    a = ap.parse_args()
    if a.show:
        with open(a.show) as f:
            doc = json.load(f)
    elif a.outdir:
        doc = collect(a.outdir)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(doc, f, indent=1)
                f.write("\n")
    else:
        ap.error("give OUTDIR or --show FILE")
    print("\n".join(tables(doc)))
    if a.json and not a.show:
        print("jit-bench: wrote %s" % a.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
