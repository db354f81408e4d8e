#!/usr/bin/env python3
"""check_loops - the naive loops of vm-bench must stay naive.

Given the object files of the bench kernels (a ';'-separated list as CMake passes it), finds
loops.c's object and checks with objdump that its byte-loop functions call no
memcpy/memset/memmove (the compiler did not turn a byte loop into a library call) and use no
vector registers (the compiler did not vectorise them).
"""

import re
import subprocess
import sys

BYTE_FUNCS = ("bench_byte_copy", "bench_byte_set", "bench_byte_move")


def main():
    objs = [o for arg in sys.argv[1:] for o in arg.split(";") if o]
    loops = [o for o in objs if re.search(r"loops\.c\.o(bj)?$", o)]
    if len(loops) != 1:
        print("check_loops: cannot find loops.c's object among %s" % objs)
        return 2
    obj = loops[0]
    problems = []
    # -r shows each call's relocation, so the callee's name is visible in the listing.
    dis = subprocess.run(["objdump", "-dr", "--no-show-raw-insn", obj], capture_output=True,
                         text=True, check=True).stdout
    func = None
    seen = set()
    for line in dis.splitlines():
        m = re.match(r"^[0-9a-f]+ <([^>]+)>:", line)
        if m:
            func = m.group(1)
            continue
        if func not in BYTE_FUNCS:
            continue
        seen.add(func)
        if re.search(r"%[xyz]mm\d", line):
            problems.append("%s uses vector registers: %s" % (func, line.strip()))
        call = re.search(r"R_\S+\s+(\S*mem(?:cpy|set|move)\S*)", line)
        if call:
            problems.append("%s calls %s" % (func, call.group(1)))
    for f in BYTE_FUNCS:
        if f not in seen:
            problems.append("%s not found in %s" % (f, obj))
    for p in problems:
        print("check_loops: FAIL: " + p)
    print("check_loops: %s" % ("FAIL" if problems else "ok (byte loops are byte loops)"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
