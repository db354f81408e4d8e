#!/usr/bin/env python3
"""check_layers.py ROOT - fail when a file under ROOT includes a header of a layer above it.

The layers of vm and the arrows between them (docs/architecture.md draws the same picture;
the build enforces it too, since each layer's include path holds only the layers it links):

    tools, examples -> include/vm (the public API)
    src/vm (composition root) -> jit, linux, system
    jit, linux, system -> exec -> riscv -> mem -> core;  system -> dev -> mem

A layer may include its own headers and those of every layer below it, never one above it
or beside it (jit, linux and system do not know each other). Public headers (include/vm/*.h)
belong to the layer that implements them: version.h to core, host/mem/memops/pool.h to mem,
vm.h to src/vm. Prints every violation with file and line; exit status 1 when there is one.
"""
import os
import re
import sys

BELOW = {
    "core": [],
    "mem": ["core"],
    "riscv": ["mem", "core"],
    "exec": ["riscv", "mem", "core"],
    "dev": ["mem", "core"],
    "jit": ["exec", "riscv", "mem", "core"],
    "linux": ["exec", "riscv", "mem", "core"],
    "system": ["exec", "dev", "riscv", "mem", "core"],
    "vm": ["jit", "linux", "system", "dev", "exec", "riscv", "mem", "core"],
}
PUBLIC = {  # include/vm header -> the layer that implements it
    "vm/version.h": "core",
    "vm/host.h": "mem",
    "vm/mem.h": "mem",
    "vm/memops.h": "mem",
    "vm/pool.h": "mem",
    "vm/irq.h": "core",
    "vm/vm.h": "vm",
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(rel):
    """The layer a file belongs to: src/<layer>/..., include/vm/x.h, or tools/examples."""
    parts = rel.split(os.sep)
    if parts[0] == "src" and len(parts) > 2:
        return parts[1]
    if parts[0] == "include":
        return PUBLIC.get("/".join(parts[1:]), "vm")
    if parts[0] in ("tools", "examples"):
        return "client"
    return None


def allowed(layer, target):
    if layer == "client":
        return target == "public"
    return target == layer or target in BELOW.get(layer, [])


def check(root):
    errors = []
    for top in ("src", "include", "tools", "examples"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".c", ".h", ".def")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                layer = layer_of(rel)
                if layer is None:
                    continue
                with open(path, encoding="utf-8", errors="replace") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        inc = m.group(1)
                        if os.path.exists(os.path.join(dirpath, inc)) and "/" not in inc:
                            continue  # a header beside the file
                        head = inc.split("/")[0]
                        if inc in PUBLIC:
                            target = PUBLIC[inc]
                            ok = layer == "client" or allowed(layer, target)
                        elif head in BELOW:
                            target = head
                            ok = allowed(layer, target)
                        else:
                            errors.append(f"{rel}:{lineno}: unknown header \"{inc}\"")
                            continue
                        if not ok:
                            errors.append(f"{rel}:{lineno}: layer '{layer}' includes \"{inc}\" "
                                          f"of layer '{target}', which is not below it")
    return errors


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    errors = check(root)
    for e in errors:
        print(e)
    if errors:
        print(f"check_layers: {len(errors)} include(s) against the layering")
        return 1
    print("check_layers: every include points down the layers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
