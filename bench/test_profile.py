#!/usr/bin/env python3
"""bench/profile.py's sorting of a perf report: translations, stubs, vm's functions by source
file (with gcc's clone suffixes), libraries and the host kernel."""

import importlib.util
import os
import sys

spec = importlib.util.spec_from_file_location(
    "profile", os.path.join(os.path.dirname(os.path.abspath(__file__)), "profile.py"))
profile = importlib.util.module_from_spec(spec)
spec.loader.exec_module(profile)

REPORT = """\
    40.00%           400  [JIT] tid 31215       [.] vm-guest-0x1062c
    10.00%           100  [JIT] tid 31215       [.] vm-guest-0x10a34
     5.00%            50  [JIT] tid 31215       [.] 0x00007f0012345678
    20.00%           200  vm                    [.] ir_regalloc
     3.00%            30  vm                    [.] ir_operand_b.part.0.isra.0
     2.00%            20  vm                    [.] mystery
    12.00%           120  [kernel.kallsyms]     [k] clear_page_erms
     8.00%            80  libc.so.6             [.] __memmove_avx_unaligned_erms
# a comment line perf may print
"""

SOURCES = {"ir_regalloc": "src/jit/ir_regalloc.c", "ir_operand_b": "src/jit/x86_64/ir_lower.c"}


def main():
    total, places, guest, funcs = profile.classify(REPORT, SOURCES)
    want = {
        "translated code": 500,
        "jit stubs": 50,
        "vm: src/jit/ir_regalloc.c": 200,
        "vm: src/jit/x86_64/ir_lower.c": 30,
        "vm: other": 20,
        "host kernel": 120,
        "libc": 80,
    }
    errors = []
    if total != 1000:
        errors.append(f"total {total}, want 1000")
    if dict(places) != want:
        errors.append(f"places {dict(places)}, want {want}")
    if dict(guest) != {"0x1062c": 400, "0x10a34": 100}:
        errors.append(f"translations {dict(guest)}")
    if funcs["ir_operand_b"] != 30:
        errors.append(f"clone suffix kept: {dict(funcs)}")
    syms = [(0x10000, "_start"), (0x10100, "main"), (0x10800, "compress")]
    if profile.guest_name(syms, 0x1062c) != "0x1062c (main+0x52c)":
        errors.append(f"guest_name: {profile.guest_name(syms, 0x1062c)}")
    if profile.guest_name([], 0x10) != "0x10":
        errors.append("guest_name without symbols")
    for e in errors:
        print(f"test_profile: {e}", file=sys.stderr)
    if errors:
        sys.exit(1)
    print("test_profile: ok")


if __name__ == "__main__":
    main()
