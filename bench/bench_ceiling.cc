/* bench_ceiling.cc - the `ceiling` group: how many bytes per second one core reads and
 * writes when the data sits in L1, L2, L3 or DRAM, measured with every vector kernel shape the
 * host runs (ceiling.c); the report takes the fastest shape of each kind as the level's
 * ceiling.
 *
 * Each level's buffer is the working set of the memcpy the report charges to that level:
 * twice the largest size of the size groups whose source and destination fit in half the
 * level (a quarter of the shared L3), so the ceiling and the copy it bounds stream through
 * the same number of bytes. A larger buffer measures a slower place: on an Intel Xeon whose
 * sysfs lists a 480 MiB L3 (shared by the whole package), a read of a quarter of it ran at
 * DRAM speed, below the speed of a 16 MiB memcpy (32 MiB of working set). The DRAM
 * buffer is 256 MiB (the arena's limit). Small buffers are streamed many times per call so
 * that the call and the benchmark's loop stay out of the figure. The level goes into the
 * benchmark's label so the report can match sizes to levels on any machine. */
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench.h"
#include "kernels.h"

namespace vmb {
namespace {

struct level {
    const char *name; /* "L1", "L2", "L3", "DRAM" */
    size_t bytes;     /* buffer size measured at that level */
};

/* Size in bytes of the data/unified cache of `lvl` seen by CPU 0 (sysfs), 0 if unknown. */
size_t cache_size(int lvl, size_t fallback) {
    for (int i = 0; i < 8; i++) {
        const std::string dir = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i);
        std::ifstream fl(dir + "/level"), ft(dir + "/type"), fs(dir + "/size");
        int level = 0;
        std::string type, size;
        if (!(fl >> level) || !(ft >> type) || !(fs >> size)) continue;
        if (level != lvl || type == "Instruction") continue;
        size_t v = std::strtoull(size.c_str(), nullptr, 10);
        const char unit = size.empty() ? 0 : size.back();
        if (unit == 'K') v <<= 10;
        if (unit == 'M') v <<= 20;
        if (v) return v;
    }
    return fallback;
}

size_t round_down_1k(size_t n) {
    return n & ~size_t(1023);
}

} // namespace

size_t cache_bytes(int lvl) {
    return cache_size(lvl, 0);
}

namespace {

/* The working set of the memcpy charged to a level whose nominal buffer is `nominal` bytes:
 * twice the largest group size n with 2n <= nominal (the nominal buffer when none fits). */
size_t charged_working_set(size_t nominal) {
    size_t ws = 0;
    for (size_t n : kSizes)
        if (2 * n <= nominal && 2 * n >= 1024) ws = 2 * n;
    return ws ? ws : round_down_1k(nominal);
}

std::vector<level> levels() {
    const size_t l1 = cache_size(1, 32 << 10);
    const size_t l2 = cache_size(2, 512 << 10);
    const size_t l3 = cache_size(3, 8 << 20);
    return {{"L1", charged_working_set(l1 / 2)},
            {"L2", charged_working_set(l2 / 2)},
            {"L3", charged_working_set(l3 / 4)},
            {"DRAM", kMaxBuffer}};
}

const char *const kKindNames[BENCH_CEIL_KINDS] = {"read", "write", "write_nt"};

/* Passes over the buffer per call: at least 256 KiB moved, so a call of an L1 kernel takes
 * about a microsecond and its entry and exit vanish in the figure. */
size_t passes_for(size_t n) {
    const size_t want = size_t(256) << 10;
    return n >= want ? 1 : want / n;
}

void run_ceiling(benchmark::State &st, int kind, int shape, const level &lv) {
    uint8_t *buf = buffer(1);
    const size_t n = lv.bytes, passes = passes_for(n);
    bench_ceiling_run(kind, shape, buf, n, passes); /* warm-up: the buffer into its level */
    for (auto _ : st) {
        bench_ceiling_run(kind, shape, buf, n, passes);
        benchmark::ClobberMemory();
    }
    st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(n) * int64_t(passes));
    st.SetLabel(std::string(lv.name) + " " + bench_ceiling_isa() + " " +
                bench_ceiling_shape_name(kind, shape));
    if (opts().smoke && kind != BENCH_CEIL_READ) {
        for (size_t i = 0; i < n; i += 4093)
            if (buf[i] != 0x5a) {
                note_failure(std::string("ceiling/") + kKindNames[kind] + "." +
                             bench_ceiling_shape_name(kind, shape) + ": buffer not written");
                break;
            }
        std::memset(buf, 0xee, n); /* the next shape must write it again */
    }
}

} // namespace

/* ceiling/<kind>/<N> is the kind's first (widest) shape; ceiling/<kind>.<shape>/<N> each
 * other shape the host runs. */
void register_ceiling_groups() {
    for (const level &lv : levels()) {
        for (int kind = 0; kind < BENCH_CEIL_KINDS; kind++) {
            for (int shape = 0; shape < bench_ceiling_shapes(kind); shape++) {
                std::string name = std::string("ceiling/") + kKindNames[kind];
                if (shape) name += std::string(".") + bench_ceiling_shape_name(kind, shape);
                const level l = lv;
                add(name + "/" + std::to_string(lv.bytes),
                    [=](benchmark::State &st) { run_ceiling(st, kind, shape, l); });
            }
        }
    }
}

} // namespace vmb
