#!/usr/bin/env python3
"""minratio - minimum CPU time per benchmark from vm-bench's JSON, and glibc/vm ratios.

On a shared, loaded host a benchmark's repetitions are slowed by whatever else runs: other
processes take the core, evict the caches and the branch predictors, and the hypervisor
steals time. Each of those only ever adds time; nothing makes a run faster than the code
allows. So the minimum over many short repetitions estimates the undisturbed cost, while
the median moves with the load (see docs/performance.md, "Measuring on a shared host").

Usage: minratio.py OUT.json [OUT2.json ...] [--base glibc] [--vs vm_auto]
Prints, per group and size, the minimum cpu_time (ns) of each variant and the ratio
base/variant (above 1: the variant is faster). Several files are pooled (minimum over all).
"""

import argparse
import json
import re
import sys
from collections import defaultdict

_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
_NAME = re.compile(r"^([^/]+)/([^/]+)/(\d+)$")


def load_minima(paths):
    """{run_name: minimum cpu_time in ns} over the iteration entries of every file."""
    best = {}
    for path in paths:
        with open(path) as f:
            data = json.load(f)
        for b in data.get("benchmarks", []):
            if b.get("run_type") != "iteration" or b.get("error_occurred"):
                continue
            name = b.get("run_name", b["name"])
            t = float(b["cpu_time"]) * _TO_NS[b.get("time_unit", "ns")]
            if name not in best or t < best[name]:
                best[name] = t
    return best


def table(best, base):
    """Rows (group, size, {variant: ns}) for every group/size that has the base variant."""
    rows = defaultdict(dict)
    for name, t in best.items():
        m = _NAME.match(name)
        if m:
            rows[(m.group(1), int(m.group(3)))][m.group(2)] = t
    out = []
    for (group, size), by in sorted(rows.items()):
        if base in by:
            out.append((group, size, by))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("json", nargs="+")
    ap.add_argument("--base", default="glibc", help="denominator variant (default glibc)")
    ap.add_argument("--vs", action="append", help="variant(s) to compare (default all)")
    args = ap.parse_args(argv)
    try:
        best = load_minima(args.json)
    except (OSError, ValueError, KeyError) as e:
        print("minratio: cannot read the benchmark JSON: %s" % e, file=sys.stderr)
        return 1
    rows = table(best, args.base)
    if not rows:
        print("no benchmark named GROUP/%s/SIZE in the input" % args.base, file=sys.stderr)
        return 1
    for group, size, by in rows:
        names = args.vs or sorted(v for v in by if v != args.base)
        cells = ["%s %.2f ns" % (args.base, by[args.base])]
        for v in names:
            if v in by:
                cells.append("%s %.2f ns (%.2fx)" % (v, by[v], by[args.base] / by[v]))
        print("%-14s %9d  %s" % (group, size, "  ".join(cells)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
