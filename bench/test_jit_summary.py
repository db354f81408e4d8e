#!/usr/bin/env python3
"""test_jit_summary - self-test of bench/jit_summary.py on a made-up bench/jit.sh output
folder: the --stats parser (JIT line found, tolerated variants, absent), speed ratios in both
directions (times and GB/s), target statuses met / missed / n/a with the skip reason, a
wrong-output column never entering a ratio, and the JSON and Markdown written from it."""

import json
import os
import subprocess
import sys
import tempfile

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
import jit_summary as js  # noqa: E402

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)


def close(a, b):
    return a is not None and abs(a - b) < 1e-9 * max(1.0, abs(b))


# --- the --stats parser ---
jit, retired = js.parse_stats("stats: instructions retired  1000\n"
                              "stats: jit: x86-64 backend: translated 120 blocks, 3456 guest "
                              "insns in 1.25 ms\n")
check(jit is not None and jit["blocks"] == 120 and jit["insns"] == 3456, "JIT line parsed")
check(jit is not None and close(jit["us_per_insn"], 1250.0 / 3456), "us per insn")
check(retired == 1000, "retired instructions parsed")
jit, _ = js.parse_stats("[vm] jit: translated 3 blocks, 30 guest insns in 0.3 ms (cache 2 KiB)")
check(jit is not None and close(jit["us_per_insn"], 10.0), "nothing between 'jit:' and "
      "'translated', text around the line")
jit, _ = js.parse_stats("jit: translated 3 blocks in 0.3 ms")
check(jit is None, "a line without the instruction count is not the format")
jit, _ = js.parse_stats("jit: all: translated 7 blocks, 0 guest insns in 0.5 ms")
check(jit is not None and jit["us_per_insn"] is None, "zero insns gives no per-insn cost")
jit, retired = js.parse_stats("stats: blocks decoded 701\n")
check(jit is None and retired is None, "no JIT line: n/a")


# --- a made-up run ---
def hyperfine(path, medians):
    with open(path, "w") as f:
        json.dump({"results": [{"command": e, "median": m, "mean": m, "stddev": 0.0,
                                "times": [m] * 3} for e, m in medians.items()]}, f)


with tempfile.TemporaryDirectory() as d:
    cols = []
    # gzip and xz of the tools ran (bzip2, zstd, sha256sum and sha256 did not: BENCH_TOOLS)
    for w in ("mixed", "lua", "memcpy", "startup", "gzip", "xz"):
        for e in js.EXECUTORS:
            if w == "lua" and e == "native":
                cols.append((w, e, "skipped", "lua5.4 is not installed on the host"))
            elif w == "startup" and e == "jit":
                cols.append((w, e, "wrong", "printed 'x', expected 'hello'"))
            else:
                cols.append((w, e, "ok", "cmd"))
    with open(os.path.join(d, "columns.tsv"), "w") as f:
        f.writelines("\t".join(c) + "\n" for c in cols)
    with open(os.path.join(d, "meta.txt"), "w") as f:
        f.write("runs 3\nhello_runs 20\n")
    # mixed in three rounds: the medians pool the rounds' runs
    hyperfine(os.path.join(d, "mixed.r1.json"),
              {"native": 0.1, "qemu": 0.3, "interp": 1.2, "jit": 0.08})
    hyperfine(os.path.join(d, "mixed.r2.json"),
              {"native": 0.1, "qemu": 0.9, "interp": 1.2, "jit": 0.08})
    hyperfine(os.path.join(d, "mixed.r3.json"),
              {"native": 0.1, "qemu": 0.3, "interp": 1.2, "jit": 0.08})
    hyperfine(os.path.join(d, "mixed.qemu.json"), {"qemu": 100.0})  # not a round: ignored
    hyperfine(os.path.join(d, "lua.json"), {"qemu": 1.0, "interp": 2.0, "jit": 0.5})
    hyperfine(os.path.join(d, "startup.json"), {"native": 0.001, "qemu": 0.02, "interp": 0.002})
    hyperfine(os.path.join(d, "gzip.r1.json"),
              {"native": 0.05, "qemu": 0.3, "interp": 3.0, "jit": 0.1})  # 3x qemu
    hyperfine(os.path.join(d, "xz.r1.json"),
              {"native": 0.5, "qemu": 2.4, "interp": 30.0, "jit": 1.5})  # 1.6x qemu
    with open(os.path.join(d, "bytes.tsv"), "w") as f:
        f.write("gzip\tqemu\tidentical\ngzip\tjit\tidentical\nxz\tjit\tdiffers\n")
    with open(os.path.join(d, "memcpy.tsv"), "w") as f:
        f.write("native\t20\nnative\t22\nnative\t18\nqemu\t6\ninterp\t1\njit\t5\njit\t5.2\n"
                "jit\t4.8\n")
    with open(os.path.join(d, "mixed.jit.stats.txt"), "w") as f:
        f.write("stats: instructions retired 500\njit: x: translated 10 blocks, 200 guest "
                "insns in 0.4 ms\n")
    with open(os.path.join(d, "mixed.interp.stats.txt"), "w") as f:
        f.write("stats: instructions retired 500\n")

    doc = js.collect(d)
    check(close(js.speed_ratio(doc, "mixed", "jit", "qemu"), 0.3 / 0.08), "time speed ratio")
    check(doc["workloads"]["mixed"]["columns"]["qemu"]["runs"] == 9, "rounds pooled")
    check(close(js.speed_ratio(doc, "memcpy", "jit", "native"), 5.0 / 20.0),
          "bandwidth ratio uses medians of the samples")
    check(js.speed_ratio(doc, "lua", "jit", "native") is None, "skipped column: no ratio")
    check(js.speed_ratio(doc, "startup", "jit", "qemu") is None, "wrong column: no ratio")
    st = {t["id"]: t for t in doc["targets"]}
    check(st["mixed.jit_vs_qemu"]["status"] == "met", "mixed 3x qemu met")
    check(st["mixed.jit_vs_native"]["status"] == "met", "mixed 0.6x native met (1.25)")
    check(st["lua.jit_vs_qemu"]["status"] == "missed", "lua 3x qemu missed (2x)")
    check(st["memcpy.jit_vs_native"]["status"] == "missed", "memcpy 30% missed (25%)")
    check(st["gzip.jit_vs_qemu"]["status"] == "met", "gzip 2x qemu met (3x)")
    check(st["xz.jit_vs_qemu"]["status"] == "missed", "xz 2x qemu missed (1.6x)")
    check(st["tools.jit_vs_qemu"]["status"] == "met" and
          close(st["tools.jit_vs_qemu"]["value"], 2.4 / 1.5),
          "none below 1.5x: the lowest tool ratio (xz's 1.6), met")
    check(st["bzip2.jit_vs_qemu"]["status"] == "n/a", "a tool that did not run: n/a")
    check("sha256" not in doc["workloads"] and "zstd" not in doc["workloads"],
          "workloads bench/jit.sh did not run are left out")
    check(doc["workloads"]["xz"]["columns"]["jit"].get("bytes_vs_native") == "differs",
          "bytes against the host tool recorded")
    text = "\n".join(js.tables(doc))
    check("gzip: jit identical, qemu identical; xz: jit differs" in text,
          "bytes note in the tables")
    check("Debian zstd -3" not in text, "no row for a workload not run")
    tr = doc["translation"]
    check(close(tr["jit"]["mixed"]["jit"]["us_per_insn"], 2.0), "translation cost in the doc")
    check(tr["interp"]["mixed"]["jit"] is None, "interp: no JIT line")

    # the skip reason reaches a target that cannot be evaluated
    hyperfine(os.path.join(d, "lua.json"), {"qemu": 1.0, "interp": 2.0})
    with open(os.path.join(d, "columns.tsv"), "w") as f:
        f.writelines("\t".join(c if c[:2] != ("lua", "jit") else
                               ("lua", "jit", "skipped", "vm run: --engine=jit is not "
                                "available")) + "\n" for c in cols)
    doc = js.collect(d)
    t = {t["id"]: t for t in doc["targets"]}["lua.jit_vs_qemu"]
    check(t["status"] == "n/a" and "not available" in (t["why"] or ""), "n/a with reason")
    md = "\n".join(js.markdown_section(doc))
    # a document of an older run (fewer workloads) still prints
    old = json.loads(json.dumps(doc))
    for w in ("gzip", "xz"):
        del old["workloads"][w]
    old["targets"] = js.targets(old)
    check({t["id"]: t for t in old["targets"]}["tools.jit_vs_qemu"]["status"] == "n/a",
          "no tool measured: the aggregate target is n/a")
    check("Debian gzip -6" not in "\n".join(js.tables(old)), "older document: tables print")
    check("| mixed |" in md and "n/a (jit: vm run: --engine=jit is not available)" in md,
          "markdown tables")
    check("WRONG OUTPUT" in md, "a wrong column is shown as such")
    check("Not measured" in "\n".join(js.markdown_section(None)), "section without a run")

    # command line: --json then --show
    out = os.path.join(d, "jit.json")
    r = subprocess.run([sys.executable, os.path.join(here, "jit_summary.py"), d, "--json", out],
                       capture_output=True, text=True)
    check(r.returncode == 0 and os.path.exists(out), "jit_summary.py OUTDIR --json")
    r2 = subprocess.run([sys.executable, os.path.join(here, "jit_summary.py"), "--show", out],
                        capture_output=True, text=True)
    check(r2.returncode == 0 and "jit/qemu" in r2.stdout, "jit_summary.py --show")

if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("jit_summary self-test: all checks passed")
