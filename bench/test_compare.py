#!/usr/bin/env python3
"""test_compare - the regression guard must fail on a regression and pass otherwise.

Builds fabricated vm-bench results whose ratios match a fabricated baseline, then one where a
vm ratio regressed past its tolerance, one that regressed but stays within tolerance, one with
a benchmark missing, and one that improved; runs bench/compare on each and checks its verdict.
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import benchlib  # noqa: E402

failures = 0


def fabricate(times):
    """Google Benchmark JSON with 3 repetitions of each benchmark at the given ns/iter."""
    runs = []
    for name, t in times.items():
        for rep in range(3):
            runs.append({"name": name, "run_name": name, "run_type": "iteration",
                         "repetitions": 3, "repetition_index": rep, "iterations": 1000,
                         "real_time": t, "cpu_time": t * (1 + 0.001 * rep), "time_unit": "ns",
                         "bytes_per_second": 1e9 / t})
    return {"context": {"cpu_model": "fabricated", "date": "today"}, "benchmarks": runs}


def base_times():
    t = {}
    for name in benchlib.expected_names():
        t[name] = 100.0
    # Make vm_auto twice as fast as glibc everywhere, the pool twice as fast as malloc.
    for name in list(t):
        if "/vm_auto/" in name or name.endswith("allocate_1kb_pool"):
            t[name] = 50.0
    for lv, size in (("L1", 16384), ("L2", 524288), ("L3", 8388608), ("DRAM", 268435456)):
        for kind in ("read", "write", "write_nt"):
            t["ceiling/%s/%d" % (kind, size)] = 10.0
    return t


def labelled(data):
    for r in data["benchmarks"]:
        p = r["name"].split("/")
        if p[0] == "ceiling":
            r["label"] = {"16384": "L1", "524288": "L2", "8388608": "L3",
                          "268435456": "DRAM"}[p[2]] + " avx512"
    return data


def run(tmp, label, times, want_rc, extra=()):
    global failures
    path = os.path.join(tmp, label + ".json")
    with open(path, "w") as f:
        json.dump(labelled(fabricate(times)), f)
    p = subprocess.run([sys.executable, os.path.join(HERE, "compare"), path,
                        "--baseline", os.path.join(tmp, "baseline.json"), *extra],
                       capture_output=True, text=True)
    ok = p.returncode == want_rc
    print("%-28s rc=%d want=%d %s" % (label, p.returncode, want_rc, "ok" if ok else "WRONG"))
    if not ok:
        print(p.stdout + p.stderr)
        failures += 1
    return p


def main():
    with tempfile.TemporaryDirectory() as tmp:
        good = base_times()
        # A baseline made from the good results.
        path = os.path.join(tmp, "good0.json")
        with open(path, "w") as f:
            json.dump(labelled(fabricate(good)), f)
        subprocess.run([sys.executable, os.path.join(HERE, "compare"), path, "--update",
                        "--baseline", os.path.join(tmp, "baseline.json")], check=True,
                       capture_output=True)
        with open(os.path.join(tmp, "baseline.json")) as f:
            base = json.load(f)
        if "memcpy.vm_auto_vs_glibc.4096" not in base["ratios"]:
            print("baseline lacks memcpy.vm_auto_vs_glibc.4096")
            return 1

        run(tmp, "identical", good, 0)

        slow = dict(good)
        slow["memcpy_sizes/vm_auto/4096"] = 50.0 * 1.5  # ratio 2.0 -> 1.33: -33%
        p = run(tmp, "memcpy-regressed", slow, 1)
        if "memcpy.vm_auto_vs_glibc.4096" not in p.stdout:
            print("the regressed ratio is not named in the output")
            failures_add()

        noise = dict(good)
        noise["memcpy_sizes/vm_auto/4096"] = 50.0 * 1.05  # -5%: inside 15%
        run(tmp, "within-tolerance", noise, 0)

        api = dict(good)
        api["volatile_vs_normal/vm_mem_api/1024"] = 100.0 * 1.5  # cost up 50%
        run(tmp, "access-cost-regressed", api, 1)

        fast = dict(good)
        fast["memset_sizes/vm_auto/65536"] = 25.0  # improvement never fails
        run(tmp, "improved", fast, 0)

        gone = dict(good)
        del gone["memmove_sizes/vm_auto/64"]
        run(tmp, "missing-benchmark", gone, 1)
        run(tmp, "missing-allowed", gone, 0, ("--allow-missing",))

        run(tmp, "loose-tolerance", slow, 0, ("--tolerance", "0.5"))

        jit = dict(good)
        jit["guest/jit/mixed"] = 100.0 * 1.5  # the JIT 1.5x slower against the interpreter
        p = run(tmp, "jit-regressed", jit, 1)
        if "guest.jit_vs_interp.mixed" not in p.stdout:
            print("the regressed JIT ratio is not named in the output")
            failures_add()

        # --update --only guest.: the guest ratios move, every other entry stays as it was.
        other = dict(good)
        other["guest/jit/int_loop"] = 25.0  # JIT 4x the interpreter
        other["memcpy_sizes/vm_auto/4096"] = 100.0  # would change memcpy's ratio to 1.0
        path = os.path.join(tmp, "partial.json")
        with open(path, "w") as f:
            json.dump(labelled(fabricate(other)), f)
        subprocess.run([sys.executable, os.path.join(HERE, "compare"), path, "--update",
                        "--only", "guest.", "--baseline", os.path.join(tmp, "baseline.json")],
                       check=True, capture_output=True)
        with open(os.path.join(tmp, "baseline.json")) as f:
            after = json.load(f)["ratios"]
        ok = (after["memcpy.vm_auto_vs_glibc.4096"] == base["ratios"]["memcpy.vm_auto_vs_glibc.4096"]
              and abs(after["guest.jit_vs_interp.int_loop"]["value"] - 4.0) < 1e-6
              and len(after) == len(base["ratios"]))
        print("%-28s %s" % ("update-only-guest", "ok" if ok else "WRONG"))
        if not ok:
            failures_add()
    print("test_compare: %s" % ("FAIL" if failures else "ok"))
    return 1 if failures else 0


def failures_add():
    global failures
    failures += 1


if __name__ == "__main__":
    sys.exit(main())
