#!/usr/bin/env python3
"""check_smoke - CI smoke test of vm-bench: every benchmark runs exactly once, nothing timed.

Runs `vm-bench --smoke --benchmark_format=json` (each benchmark one iteration, each checks its
own result and the program exits non-zero on a wrong one), then checks the JSON: every group
and variant of the suite is present, each either ran or was skipped for a stated reason that
is allowed (the host lacks a vector ISA; the guest/interp workloads were not built because
the riscv64 cross compiler was missing), and the ceiling group covers L1, L2, L3 and DRAM.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

# Reasons a benchmark may be skipped without failing the smoke test.
ALLOWED_SKIPS = ("host CPU/OS lacks", "riscv64 cross compiler not found",
                 "the JIT is not available on this host")
# Variants that must always run: they need nothing from the host beyond the baseline ISA.
MUST_RUN = ("/glibc/", "/byte_loop/", "/plain/", "/plain_checked/", "/plain_autovec/", "/volatile/", "/vm_auto/", "/vm_scalar/",
            "/u64_loop/", "/vm_memcpy/", "memory_operations/")


def main():
    args = sys.argv[1:]
    if len(args) != 1:
        print("usage: check_smoke.py PATH/TO/vm-bench", file=sys.stderr)
        return 2
    p = subprocess.run([args[0], "--smoke", "--benchmark_format=json"],
                       capture_output=True, text=True)
    sys.stderr.write(p.stderr)
    if p.returncode != 0:
        print("smoke: vm-bench exited %d" % p.returncode)
        return 1
    data = json.loads(p.stdout)
    res = benchlib.Results(data)
    problems = []
    for name in benchlib.expected_names():
        b = res.benches.get(name)
        if b is None:
            problems.append("%s: not in the output" % name)
        elif b.error is not None:
            allowed = any(b.error.startswith(a) for a in ALLOWED_SKIPS)
            if not allowed or any(m in name for m in MUST_RUN):
                problems.append("%s: skipped: %s" % (name, b.error))
            else:
                print("smoke: %s skipped: %s" % (name, b.error))
        elif b.iterations != [1]:
            problems.append("%s: ran %s iterations, want exactly one" % (name, b.iterations))
    ceil = res.ceilings()
    for lv in benchlib.LEVELS:
        for kind in ("read", "write", "write_nt"):
            if kind not in ceil.get(lv, {}):
                problems.append("ceiling %s/%s: missing" % (lv, kind))
    ctx = data.get("context", {})
    for key in ("cpu_model", "glibc", "compiler_c", "l1d_bytes", "memops_active", "ceiling_isa"):
        if not ctx.get(key):
            problems.append("context: %s missing" % key)
    for pr in problems:
        print("smoke: FAIL: " + pr)
    n = len(res.benches)
    print("smoke: %d benchmarks, %d problem(s)" % (n, len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
