"""benchlib - read vm-bench's Google Benchmark JSON and compute the ratios vm is judged by.

Shared by report.py (docs/performance.md), compare (the regression guard) and the tests.
Every figure is a median over repetitions of one run; ratios are taken between benchmarks of
the same run (interleaved repetitions), never across runs.
"""

import json
import re
import statistics

# Suffixes Google Benchmark appends to names for per-benchmark settings.
_SETTING = re.compile(r"/(iterations|repeats|min_time|min_warmup_time|real_time|threads):[^/]*")

SIZES = [64, 256, 1024, 4096, 16384, 65536, 1 << 20, 16 << 20, 256 << 20]
SIZE_VARIANTS = ["glibc", "vm_auto", "vm_scalar", "vm_sse2", "vm_avx2", "vm_avx512", "byte_loop"]
SIZE_GROUPS = ["memcpy_sizes", "memset_sizes", "memmove_sizes"]
ACCESS_VARIANTS = ["volatile", "plain", "plain_checked", "plain_autovec", "vm_mem_api", "vm_bulk"]
BATCH_VARIANTS = ["byte_loop", "u64_loop", "vm_memcpy", "glibc"]
MEMORY_OPS = ["allocate_1kb_pool", "allocate_1kb_malloc", "read_write_1kb",
              "guest_copy_cross_region", "mmio_dispatch"]
LEVELS = ["L1", "L2", "L3", "DRAM"]
# guest/<engine>/<workload>: guest instructions per second of each engine (bench_guest.cc).
GUEST_WORKLOADS = ["int_loop", "mixed", "memcpy_mix"]
GUEST_ENGINES = ["interp", "jit", "interp-sv39", "jit-sv39"]
# tlb/<engine>/<workload>: one guest load or store through a TLB hit or miss (bench_guest.cc).
TLB_WORKLOADS = ["tlb_load", "tlb_store", "tlb_miss"]
TLB_ENGINES = ["interp", "jit", "interp-sv39", "jit-sv39"]
# Speed targets in million guest instructions per second, by workload. The group is not in
# ratio_defs()/baseline.json: its figures are absolute rates, and no benchmark of the same run
# gives them a meaningful denominator (a host loop's speed says nothing about the guest's).
GUEST_TARGETS = {"int_loop": 500.0}

_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def expected_names():
    """Every benchmark name the suite registers (the ceiling sizes depend on the host, so
    that group is checked by kind and level, see ceiling_names)."""
    names = ["volatile_vs_normal/%s/1024" % v for v in ACCESS_VARIANTS]
    for g in SIZE_GROUPS:
        names += ["%s/%s/%d" % (g, v, n) for v in SIZE_VARIANTS for n in SIZES]
    names += ["batch_vs_loop/%s/256" % v for v in BATCH_VARIANTS]
    names += ["memory_operations/%s" % m for m in MEMORY_OPS]
    names += ["guest/%s/%s" % (e, w) for e in GUEST_ENGINES for w in GUEST_WORKLOADS]
    names += ["tlb/%s/%s" % (e, w) for e in TLB_ENGINES for w in TLB_WORKLOADS]
    return names


def base_name(name):
    """A benchmark name without Google Benchmark's setting suffixes."""
    return _SETTING.sub("", name)


class Bench:
    """All runs of one benchmark in a result file."""

    def __init__(self, name):
        self.name = name        # base name, e.g. memcpy_sizes/glibc/64
        self.times = []         # cpu time per iteration of each repetition, ns
        self.rates = []         # bytes_per_second of each repetition (if any)
        self.items = []         # items_per_second of each repetition (if any)
        self.error = None       # skip/error message, None when it ran
        self.label = ""         # label (ceiling level)
        self.iterations = []    # iterations of each repetition

    @property
    def ok(self):
        return self.error is None and bool(self.times)

    def median_ns(self):
        return statistics.median(self.times)

    def median_rate(self):
        return statistics.median(self.rates) if self.rates else None

    def median_items(self):
        return statistics.median(self.items) if self.items else None

    def cv(self):
        """Coefficient of variation of the time over repetitions (0 with one repetition)."""
        if len(self.times) < 2:
            return 0.0
        m = statistics.mean(self.times)
        return statistics.stdev(self.times) / m if m else 0.0


class Results:
    """One vm-bench JSON file: context plus a Bench per benchmark name."""

    def __init__(self, data):
        self.context = data.get("context", {})
        self.benches = {}
        for r in data.get("benchmarks", []):
            if r.get("run_type", "iteration") != "iteration":
                continue  # aggregates are recomputed from the repetitions
            name = base_name(r.get("run_name", r["name"]))
            b = self.benches.setdefault(name, Bench(name))
            if r.get("error_occurred"):
                b.error = r.get("error_message", "error")
                continue
            scale = _TO_NS.get(r.get("time_unit", "ns"), 1.0)
            b.times.append(float(r["cpu_time"]) * scale)
            b.iterations.append(int(r.get("iterations", 0)))
            if "bytes_per_second" in r:
                b.rates.append(float(r["bytes_per_second"]))
            if "items_per_second" in r:
                b.items.append(float(r["items_per_second"]))
            b.label = r.get("label", b.label)

    @classmethod
    def load(cls, path):
        with open(path) as f:
            return cls(json.load(f))

    def get(self, name):
        b = self.benches.get(name)
        return b if b is not None and b.ok else None

    def ceilings(self):
        """{level: {kind: Bench}} for the ceiling group, by the level in each label. A kind
        (read, write, write_nt) may have been measured with several kernel shapes
        (ceiling/<kind>/N is the first, ceiling/<kind>.<shape>/N the others): the fastest
        shape by median rate is the level's ceiling of that kind."""
        out = {}
        for name, b in self.benches.items():
            parts = name.split("/")
            if parts[0] != "ceiling" or not b.ok or len(parts) != 3:
                continue
            level = b.label.split(" ")[0] if b.label else "?"
            kind = parts[1].split(".")[0]
            have = out.setdefault(level, {}).get(kind)
            if have is None or (b.median_rate() or 0) > (have.median_rate() or 0):
                out[level][kind] = b
        return out

    def ceiling_rate(self, level, kind):
        b = self.ceilings().get(level, {}).get(kind)
        return b.median_rate() if b else None

    def ceiling_shape(self, level, kind):
        """The kernel shape that set the ceiling of kind at level ("zmm_x16", ...), from the
        label's third word, or None."""
        b = self.ceilings().get(level, {}).get(kind)
        words = b.label.split(" ") if b and b.label else []
        return words[2] if len(words) > 2 else None

    def copy_ceiling(self, level):
        """Upper bound for a copy at this level, in bytes copied per second: a copy cannot
        go faster than the level can be read, nor than it can be written (with the better
        of ordinary and non-temporal stores), so min(read, best write). On DRAM, where the
        two directions share the bus, a single core may get well below this bound."""
        r = self.ceiling_rate(level, "read")
        ws = [w for w in (self.ceiling_rate(level, "write"), self.ceiling_rate(level, "write_nt"))
              if w]
        if not r or not ws:
            return None
        return min(r, max(ws))

    def ceiling_size(self, level):
        for name, b in self.benches.items():
            p = name.split("/")
            if p[0] == "ceiling" and b.label.split(" ")[0] == level:
                return int(p[2])
        return None

    def memcpy_size_for_level(self, level):
        """The memcpy_sizes size whose working set (source + destination) belongs to a
        level: the largest with 2N <= the level's ceiling buffer (DRAM: the largest)."""
        if level == "DRAM":
            return SIZES[-1]
        s = self.ceiling_size(level)
        if not s:
            return None
        fit = [n for n in SIZES if 2 * n <= s]
        return fit[-1] if fit else None


def _time(res, name):
    b = res.get(name)
    return b.median_ns() if b else None


# The ratios vm is judged by. kind "speed": time(den) / time(num), how many times faster
# num is than den (higher is better for vm when num is vm's). kind "cost": time(num) /
# time(den), how many times longer num takes (lower is better when num is vm's).
def ratio_defs():
    defs = [
        dict(id="access.volatile_over_plain", kind="cost",
             num="volatile_vs_normal/volatile/1024", den="volatile_vs_normal/plain/1024",
             better=None, desc="volatile time / plain time (cost of volatile)"),
        dict(id="access.volatile_over_plain_autovec", kind="cost",
             num="volatile_vs_normal/volatile/1024",
             den="volatile_vs_normal/plain_autovec/1024",
             better=None, desc="volatile time / vectorised plain time"),
        dict(id="access.vm_mem_api_over_plain", kind="cost",
             num="volatile_vs_normal/vm_mem_api/1024", den="volatile_vs_normal/plain/1024",
             better="lower", target=("<=", 1.2),
             desc="vm_mem_store32/load32 time / plain time"),
        dict(id="access.plain_checked_over_plain", kind="cost",
             num="volatile_vs_normal/plain_checked/1024", den="volatile_vs_normal/plain/1024",
             better=None, desc="plain loop with a bounds check per access / plain time "
             "(what the check alone costs)"),
        dict(id="access.vm_mem_api_over_plain_checked", kind="cost",
             num="volatile_vs_normal/vm_mem_api/1024",
             den="volatile_vs_normal/plain_checked/1024",
             better="lower", desc="vm_mem_store32/load32 time / plain-with-check time "
             "(what vm adds beyond the check)"),
        dict(id="access.vm_bulk_over_plain", kind="cost",
             num="volatile_vs_normal/vm_bulk/1024", den="volatile_vs_normal/plain/1024",
             better="lower", desc="vm_mem_write+read time / plain time"),
        dict(id="access.vm_mem_api_vs_volatile", kind="speed",
             num="volatile_vs_normal/vm_mem_api/1024", den="volatile_vs_normal/volatile/1024",
             better="higher", desc="vm_mem_api speed-up over volatile"),
    ]
    for g in SIZE_GROUPS:
        op = g.split("_")[0]
        for n in SIZES:
            target = None
            if g == "memcpy_sizes":
                target = (">=", 1.5) if 2048 <= n <= 16384 else (">=", 0.95)
            defs.append(dict(id="%s.vm_auto_vs_glibc.%d" % (op, n), kind="speed",
                             num="%s/vm_auto/%d" % (g, n), den="%s/glibc/%d" % (g, n),
                             better="higher", target=target,
                             desc="vm_%s / glibc %s throughput at %d B" % (op, op, n)))
    defs += [
        dict(id="batch.byte_loop_over_vm_memcpy", kind="cost",
             num="batch_vs_loop/byte_loop/256", den="batch_vs_loop/vm_memcpy/256",
             better=None, desc="byte loop time / vm_memcpy time at 256 B"),
        dict(id="batch.vm_memcpy_vs_u64_loop", kind="speed",
             num="batch_vs_loop/vm_memcpy/256", den="batch_vs_loop/u64_loop/256",
             better="higher", desc="vm_memcpy speed-up over an 8-byte loop at 256 B"),
        dict(id="batch.vm_memcpy_vs_glibc", kind="speed",
             num="batch_vs_loop/vm_memcpy/256", den="batch_vs_loop/glibc/256",
             better="higher", desc="vm_memcpy / glibc memcpy at 256 B"),
        dict(id="memops.pool_vs_malloc", kind="speed",
             num="memory_operations/allocate_1kb_pool",
             den="memory_operations/allocate_1kb_malloc",
             better="higher", desc="vm_pool alloc+free speed-up over malloc+free"),
    ]
    # The JIT against the interpreter on the same workload in the same run: a JIT regression
    # (slower code, costlier translation) lowers the ratio whatever the machine's speed.
    for w in GUEST_WORKLOADS:
        defs.append(dict(id="guest.jit_vs_interp.%s" % w, kind="speed",
                         num="guest/jit/%s" % w, den="guest/interp/%s" % w,
                         better="higher",
                         desc="JIT speed-up over the interpreter on %s (translation included)"
                         % w))
    return defs


def ratio_value(res, d):
    """The value of ratio definition d in results res, or None when a side is missing."""
    a, b = _time(res, d["num"]), _time(res, d["den"])
    if not a or not b:
        return None
    return a / b if d["kind"] == "cost" else b / a


def ceiling_fractions(res, impl="vm_auto"):
    """[(level, memcpy size, memcpy rate, copy ceiling, fraction)] for impl's memcpy."""
    out = []
    for lv in LEVELS:
        n = res.memcpy_size_for_level(lv)
        ceil = res.copy_ceiling(lv)
        b = res.get("memcpy_sizes/%s/%d" % (impl, n)) if n else None
        rate = b.median_rate() if b else None
        frac = rate / ceil if rate and ceil else None
        out.append((lv, n, rate, ceil, frac))
    return out


def guest_mips(res, engine="interp"):
    """[(workload, median MIPS or None, target MIPS or None)] of the guest/<engine> group."""
    out = []
    for w in GUEST_WORKLOADS:
        b = res.get("guest/%s/%s" % (engine, w))
        items = b.median_items() if b else None
        out.append((w, items / 1e6 if items else None,
                    GUEST_TARGETS.get(w) if engine == "interp" else None))
    return out


def guest_engines(res):
    """The engines with at least one guest/<engine>/* benchmark in res (ran or skipped)."""
    return [e for e in GUEST_ENGINES
            if any(n.startswith("guest/%s/" % e) for n in res.benches)]


def host_line(ctx):
    """One line naming the host a result came from: CPU model, signature and microcode,
    and the memory-relevant flags."""
    return "%s (signature %s, microcode %s; flags: %s)" % (
        ctx.get("cpu_model", "?"), ctx.get("vm_host_signature", "?"),
        ctx.get("vm_host_microcode", "?"), ctx.get("cpu_flags", "?"))


def all_ratios(res):
    """{id: value} of every ratio definition plus the ceiling fractions of vm_memcpy."""
    out = {}
    for d in ratio_defs():
        out[d["id"]] = ratio_value(res, d)
    for lv, _n, _r, _c, frac in ceiling_fractions(res):
        out["ceiling.vm_memcpy_fraction.%s" % lv] = frac
    return out


def better_of(ratio_id):
    """Which direction is an improvement for a ratio id ("higher", "lower" or None)."""
    if ratio_id.startswith("ceiling."):
        return "higher"
    for d in ratio_defs():
        if d["id"] == ratio_id:
            return d["better"]
    return None
